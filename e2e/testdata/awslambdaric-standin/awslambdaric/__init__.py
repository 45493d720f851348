"""A stand-in for awslambdaric, AWS's Python Runtime Interface Client.

The real awslambdaric (https://github.com/aws/aws-lambda-python-runtime-interface-client)
cannot be installed on the machines the end-to-end tests run on (no PyPI),
so the tests of the seed scenario run the seed's Python function through this
small client instead. It is stdlib-only and started the same way:

    PYTHONPATH=<dir holding this package> python3 -m awslambdaric module.handler

It imports the handler from the working directory (as awslambdaric does),
then loops over the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API: GET
/runtime/invocation/next, call the handler with the event and a context
object, POST .../response with the JSON result, or POST .../error with
{"errorMessage", "errorType", "stackTrace"} when the handler raises. A
handler that cannot be loaded is an init error: POST /runtime/init/error,
then exit 1.

It implements only what the tests need of awslambdaric: no response
streaming, no X-Ray, no custom log formats. It is not a replacement for it.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

_BASE = "/2018-06-01/runtime"


class CognitoIdentity:
    """The context's identity, from Lambda-Runtime-Cognito-Identity."""

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id


class Client:
    """The client of a client context (the mobile app that invoked)."""

    def __init__(self, fields):
        self.installation_id = fields.get("installation_id")
        self.app_title = fields.get("app_title")
        self.app_version_name = fields.get("app_version_name")
        self.app_version_code = fields.get("app_version_code")
        self.app_package_name = fields.get("app_package_name")


class ClientContext:
    """The context's client_context, from Lambda-Runtime-Client-Context."""

    def __init__(self, fields):
        self.client = Client(fields.get("client") or {})
        self.custom = fields.get("custom")
        self.env = fields.get("env")


class LambdaContext:
    """The context object handlers get, with awslambdaric's attributes."""

    def __init__(self, request_id, deadline_ms, function_arn, client_context,
                 identity, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.client_context = client_context
        self.identity = identity
        self.tenant_id = tenant_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class _Fault(Exception):
    """An error to report with a Lambda errorType of its own."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class _RuntimeAPI:
    """A client of the Runtime API over one kept-alive connection."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._conn = http.client.HTTPConnection(host, int(port))

    def _do(self, method, path, body=None, headers=None):
        self._conn.request(method, _BASE + path, body=body, headers=headers or {})
        resp = self._conn.getresponse()
        data = resp.read()
        return resp, data

    def next(self):
        resp, body = self._do("GET", "/invocation/next")
        if resp.status != 200:
            raise RuntimeError("next: %d %s" % (resp.status, body[:200]))
        return resp.headers, body

    def response(self, request_id, payload):
        self._post("/invocation/%s/response" % request_id, payload, {})

    def error(self, request_id, fault):
        self._post("/invocation/%s/error" % request_id, json.dumps(fault).encode(),
                   {"Lambda-Runtime-Function-Error-Type": fault["errorType"]})

    def init_error(self, fault):
        self._post("/init/error", json.dumps(fault).encode(),
                   {"Lambda-Runtime-Function-Error-Type": fault["errorType"]})

    def _post(self, path, body, headers):
        headers = dict(headers, **{"Content-Type": "application/json"})
        resp, data = self._do("POST", path, body, headers)
        if resp.status != 202:
            print("awslambdaric: POST %s: %d %s" % (path, resp.status, data[:200].decode("utf-8", "replace")),
                  file=sys.stderr, flush=True)


def _fault(error_type, message, tb=None, request_id=None):
    fault = {
        "errorMessage": message,
        "errorType": error_type,
        "stackTrace": traceback.format_list(traceback.extract_tb(tb)) if tb else [],
    }
    if request_id is not None:
        fault["requestId"] = request_id
    # awslambdaric writes a failure to the function's log too.
    print("[ERROR] %s: %s" % (error_type, message), flush=True)
    return fault


def _load_handler(app_root, handler):
    sys.path.insert(0, app_root)
    module_name, dot, function_name = handler.rpartition(".")
    if not dot or not module_name or not function_name:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % handler)
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        raise _Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    fn = getattr(module, function_name, None)
    if fn is None:
        raise _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return fn


def _context(headers):
    client_context = None
    if headers.get("Lambda-Runtime-Client-Context"):
        client_context = ClientContext(json.loads(headers["Lambda-Runtime-Client-Context"]))
    identity = CognitoIdentity()
    if headers.get("Lambda-Runtime-Cognito-Identity"):
        fields = json.loads(headers["Lambda-Runtime-Cognito-Identity"])
        identity = CognitoIdentity(fields.get("cognitoIdentityId"), fields.get("cognitoIdentityPoolId"))
    return LambdaContext(
        headers.get("Lambda-Runtime-Aws-Request-Id"),
        int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
        headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        client_context,
        identity,
        headers.get("Lambda-Runtime-Aws-Tenant-Id"),
    )


def _handle(api, fn, headers, body):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = json.loads(body) if body else None
    except ValueError as e:
        api.error(request_id, _fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e,
                                     request_id=request_id))
        return
    try:
        result = fn(event, _context(headers))
    except Exception as e:
        api.error(request_id, _fault(type(e).__name__, str(e), e.__traceback__, request_id))
        return
    try:
        payload = json.dumps(result).encode()
    except (TypeError, ValueError) as e:
        api.error(request_id, _fault("Runtime.MarshalError", "Unable to marshal response: %s" % e,
                                     request_id=request_id))
        return
    api.response(request_id, payload)


def run(app_root, handler, api_address):
    """Serves handler's invocations until the process is killed; returns
    the exit status after an init error."""
    # Lines reach the function log as they are written, as with awslambdaric.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    api = _RuntimeAPI(api_address)
    try:
        fn = _load_handler(app_root, handler)
    except _Fault as e:
        api.init_error(_fault(e.error_type, str(e)))
        return 1
    except Exception as e:
        api.init_error(_fault(type(e).__name__, str(e), e.__traceback__))
        return 1
    while True:
        headers, body = api.next()
        _handle(api, fn, headers, body)
