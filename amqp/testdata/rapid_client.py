#!/usr/bin/python3
"""An AMQP-RPC client written the way lambda-runtime-api-daemon's Python
clients are: pika, the default exchange, the function's name as routing key,
reply_to on an exclusive server-named queue, a uuid correlation_id per
request, content_type application/json, headers as plain strings.

Usage: rapid_client.py AMQP_URL FUNCTION_NAME
Prints one JSON object: the replies by correlation id.
"""
import base64
import json
import sys
import time
import uuid

import pika

url, function = sys.argv[1], sys.argv[2]
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
reply_to = channel.queue_declare(queue="", exclusive=True).method.queue

replies = {}


def on_reply(ch, method, properties, body):
    replies[properties.correlation_id] = {
        "body": body.decode(),
        "content_type": properties.content_type,
        "headers": {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (properties.headers or {}).items()},
    }


channel.basic_consume(queue=reply_to, on_message_callback=on_reply, auto_ack=True)

requests = {
    "echo": ({"hello": "pika"}, None),
    "context": ({"hello": "context"}, {
        "X-Amz-Client-Context": base64.b64encode(json.dumps({"custom": {"from": "pika"}}).encode()).decode(),
        "X-Amzn-Trace-Id": "Root=1-pika-trace",
    }),
    "error": ({"mode": "function-error"}, None),
}
ids = {}
for name, (body, headers) in requests.items():
    correlation_id = str(uuid.uuid4())
    ids[name] = correlation_id
    channel.basic_publish(
        exchange="",
        routing_key=function,
        properties=pika.BasicProperties(
            content_type="application/json",
            reply_to=reply_to,
            correlation_id=correlation_id,
            headers=headers,
        ),
        body=json.dumps(body),
    )

# Fire and forget: no reply_to, an Event invocation.
ids["event"] = str(uuid.uuid4())
channel.basic_publish(
    exchange="",
    routing_key=function,
    properties=pika.BasicProperties(content_type="application/json", correlation_id=ids["event"]),
    body=json.dumps({"hello": "event"}),
)

deadline = time.time() + 20
while len(replies) < len(requests) and time.time() < deadline:
    connection.process_data_events(time_limit=0.2)
connection.close()
print(json.dumps({"ids": ids, "replies": replies}))
