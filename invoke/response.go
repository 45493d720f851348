package invoke

import "encoding/json"

// FunctionErrorUnhandled is the value of X-Amz-Function-Error for every
// function failure (handler error, timeout, crash, init error, oversized
// response).
const FunctionErrorUnhandled = "Unhandled"

// LatestVersion is the only version a local function has.
const LatestVersion = "$LATEST"

// Response is the result of an invocation that ran (or was accepted).
type Response struct {
	// RequestID is the invocation's request id.
	RequestID string
	// Payload is the function's result, or AWS's error object when
	// FunctionError is set. Empty for Event and DryRun.
	Payload []byte
	// ContentType is the runtime's content type for Payload; "" means
	// application/json.
	ContentType string
	// FunctionError is "" on success, else FunctionErrorUnhandled.
	FunctionError string
	// ErrorType is the error's type when FunctionError is set (for example
	// "Sandbox.Timedout", "Runtime.ExitError"), for logs and streaming.
	ErrorType string
	// LogTail holds the last LogTailSize bytes of the invocation's log when
	// the request asked for Tail (not base64 encoded).
	LogTail []byte
	// ExecutedVersion is the version that ran ("$LATEST").
	ExecutedVersion string
	// Stream, when set (only if the request asked for it), delivers the
	// response as the function produces it, in place of Payload. The caller
	// must read it to the end or Close it.
	Stream ResponseStream
}

// ResponseStream is a response being streamed by a function.
//
// Read returns the bytes as the runtime sends them and blocks until it
// does; it returns io.EOF once the invocation is complete (its log
// written, its instance released), after which Result tells how it ended.
// Close abandons the rest (the caller went away); it is safe to call more
// than once and after EOF. Not safe for concurrent use.
type ResponseStream interface {
	Read(p []byte) (int, error)
	Close() error
	// Result tells, after Read returned io.EOF, how the invocation ended:
	// FunctionError, ErrorType and AWS's error object as Payload when a
	// failure cut the stream short (a mid-stream error, a timeout, a
	// crash), FunctionError "" when it succeeded; LogTail when Tail was
	// asked. Never nil after EOF.
	Result() *Response
}

// ErrorObject is the error body Lambda returns for a function failure and a
// runtime posts to /error.
type ErrorObject struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    string   `json:"requestId,omitempty"`
	StackTrace   []string `json:"stackTrace,omitempty"`
}

// FunctionFailure builds the Response for a failure the harness observed
// (timeout, crash, oversized response): AWS's error object as the payload.
func FunctionFailure(requestID, errorType, message string) *Response {
	body, _ := json.Marshal(ErrorObject{ErrorMessage: message, ErrorType: errorType})
	return &Response{
		RequestID:       requestID,
		Payload:         body,
		FunctionError:   FunctionErrorUnhandled,
		ErrorType:       errorType,
		ExecutedVersion: LatestVersion,
	}
}

// Error types of the failures the harness itself observes.
const (
	ErrorTypeTimeout     = "Sandbox.Timedout"
	ErrorTypeExit        = "Runtime.ExitError"
	ErrorTypeTooLarge    = "Function.ResponseSizeTooLarge"
	ErrorTypeUnknown     = "Function.Unknown"
	ErrorTypeInvalidMode = "Runtime.InvalidResponseModeHeader"
	ErrorTypeInitTimeout = "Runtime.InitTimeout"
	// ErrorTypeInvalidEntrypoint is a runtime command that cannot be
	// started (missing, not executable), as Lambda reports for images.
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	ErrorTypeUnhandledErr      = "Unhandled"
)
