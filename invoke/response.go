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
