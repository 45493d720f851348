#!/usr/bin/python3
"""An AMQP-RPC client written the way lambda-runtime-api-daemon's Python
clients are: pika, the default exchange, the function's name as routing key,
reply_to on an exclusive server-named queue, a uuid correlation_id per
request, content_type application/json, headers as plain strings. A request
without reply_to is fire-and-forget (an Event invocation).

Usage: rapid_rpc.py AMQP_URL < requests.json
where requests.json is a list of
  {"name": "k", "function": "f", "body": "<json>", "headers": {...}, "reply": true}
It prints one JSON object: {"ids": {name: correlation_id},
"replies": {correlation_id: {"body", "content_type", "headers"}}}.
"""
import json
import sys
import time
import uuid

import pika

url = sys.argv[1]
requests = json.load(sys.stdin)

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

ids = {}
waiting = 0
for r in requests:
    correlation_id = str(uuid.uuid4())
    ids[r["name"]] = correlation_id
    props = pika.BasicProperties(
        content_type="application/json",
        correlation_id=correlation_id,
        headers=r.get("headers"),
    )
    if r.get("reply", True):
        props.reply_to = reply_to
        waiting += 1
    channel.basic_publish(exchange="", routing_key=r["function"], properties=props, body=r["body"])

deadline = time.time() + 30
while len(replies) < waiting and time.time() < deadline:
    connection.process_data_events(time_limit=0.2)
connection.close()
print(json.dumps({"ids": ids, "replies": replies}))
