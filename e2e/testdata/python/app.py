# Handlers for the tests of Python runtimes (python_test.go), run through
# the awslambdaric stand-in.

import os


def context(event, context):
    """Returns what the handler sees of the invocation."""
    cc = context.client_context
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "invoked_function_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "client_context_custom": cc.custom if cc else None,
        "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
    }


def fail(event, context):
    """Raises, as a handler with a bug does."""
    print("about to fail")
    raise ValueError("bad value: %s" % event.get("value"))
