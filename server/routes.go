package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Paths of the Invoke API and the read-only control plane, as in the AWS
// API model. ListFunctions and InvokeAsync are also served with a trailing
// slash, which older SDKs send.
const (
	// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
	pathInvoke = "/2015-03-31/functions/{name}/invocations"
	// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html
	pathInvokeAsync = "/2014-11-13/functions/{name}/invoke-async"
	// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
	pathInvokeStream = "/2021-11-15/functions/{name}/response-streaming-invocations"
	// https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
	pathFunctions = "/2015-03-31/functions"
	// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
	pathFunction = "/2015-03-31/functions/{name}"
	// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
	pathConfiguration = "/2015-03-31/functions/{name}/configuration"
	// pathHealth is the harness's own liveness check.
	pathHealth = "/healthz"

	// paramName is the FunctionName path parameter, percent-encoded.
	paramName = "name"
	// queryQualifier is the version or alias to invoke.
	queryQualifier = "Qualifier"
	// queryMarker and queryMaxItems page ListFunctions.
	queryMarker   = "Marker"
	queryMaxItems = "MaxItems"
)

// Headers of the Invoke API
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) and of
// AWS's service errors
// (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html). They
// are written in canonical form so that Get and Set need not convert them;
// header names are case-insensitive, and AWS spells two of them
// x-amzn-RequestId and x-amzn-ErrorType.
const (
	headerInvocationType = "X-Amz-Invocation-Type"
	headerLogType        = "X-Amz-Log-Type"
	headerClientContext  = "X-Amz-Client-Context"
	headerTraceID        = "X-Amzn-Trace-Id"
	headerTenantID       = "X-Amz-Tenant-Id"
	headerRequestID      = "X-Amzn-Requestid"
	// headerForwardedRequestID is lambda-harness's own: the request id a
	// forwarding harness already gave the invocation.
	headerForwardedRequestID = "Lambda-Harness-Request-Id"
	headerErrorType          = "X-Amzn-Errortype"
	headerFunctionError      = "X-Amz-Function-Error"
	headerLogResult          = "X-Amz-Log-Result"
	headerExecutedVersion    = "X-Amz-Executed-Version"
	headerRetryAfter         = "Retry-After"
	headerContentType        = "Content-Type"
	headerContentLength      = "Content-Length"

	contentTypeJSON = "application/json"
)

// routes returns the route table. Every response carries x-amzn-RequestId,
// and a panic in a handler becomes a 500 ServiceException.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(setRequestID, s.recoverPanics)

	// Invoke runs a function: synchronously, as an event, or as a dry run.
	r.Post(pathInvoke, s.handleInvoke)
	// InvokeWithResponseStream runs a function and streams its response
	// as event-stream messages as it is produced.
	r.Post(pathInvokeStream, s.handleInvokeStream)
	// InvokeAsync is the deprecated asynchronous invoke: an Event invoke
	// answered with {"Status":202}.
	r.Post(pathInvokeAsync, s.handleInvokeAsync)
	r.Post(pathInvokeAsync+"/", s.handleInvokeAsync)
	// ListFunctions lists the functions served, one page at a time.
	r.Get(pathFunctions, s.handleListFunctions)
	r.Get(pathFunctions+"/", s.handleListFunctions)
	// GetFunction returns a function's configuration and code location.
	r.Get(pathFunction, s.handleGetFunction)
	// GetFunctionConfiguration returns a function's configuration.
	r.Get(pathConfiguration, s.handleGetFunctionConfiguration)
	// Health answers 200 while the server runs.
	r.Get(pathHealth, handleHealth)

	// Anything else is an operation Lambda does not have, or not here.
	r.NotFound(handleUnknownOperation)
	r.MethodNotAllowed(handleMethodNotAllowed)
	return r
}

// handleHealth answers the liveness check.
func handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
	}{"ok"})
}
