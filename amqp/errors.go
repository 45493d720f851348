package amqp

import (
	"encoding/json"
	"strconv"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// awsError is how one kind of harness error appears in a reply: the HTTP
// status the Invoke API would answer, the AWS error code sent in
// x-amzn-ErrorType, and the Reason member where AWS sends one.
type awsError struct {
	status int
	code   string
	reason string
}

// codeService is AWS's code of the harness's own failures.
const codeService = "ServiceException"

// kindErrors maps each invoke.Kind to its wire form, the same table as the
// HTTP front door's (lambda-api.md §1), so that an AMQP caller sees what an
// HTTP caller would.
var kindErrors = [...]awsError{
	invoke.Internal:         {500, codeService, ""},
	invoke.NotFound:         {404, "ResourceNotFoundException", ""},
	invoke.Throttled:        {429, "TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded"},
	invoke.TooLarge:         {413, "RequestEntityTooLargeException", ""},
	invoke.InvalidContent:   {400, "InvalidRequestContentException", ""},
	invoke.InvalidParameter: {400, "InvalidParameterValueException", ""},
	invoke.Validation:       {400, "ValidationException", ""},
	invoke.Unavailable:      {503, codeService, ""},
	invoke.NotReady:         {502, "ResourceNotReadyException", ""},
	invoke.UnsupportedMedia: {415, "UnsupportedMediaTypeException", ""},
}

// errorFor returns the wire form of kind k.
func errorFor(k invoke.Kind) awsError {
	if int(k) < len(kindErrors) && kindErrors[k].code != "" {
		return kindErrors[k]
	}
	return kindErrors[invoke.Internal]
}

// kindFor turns a reply's error code and status back into a Kind. Two kinds
// share ServiceException; the status tells them apart.
func kindFor(code string, status int) invoke.Kind {
	for k, e := range kindErrors {
		if e.code == code && (code != codeService || e.status == status) {
			return invoke.Kind(k)
		}
	}
	return invoke.Internal
}

// errorBody is the body of an AWS service error. Lambda spells the message
// "message" or "Message" depending on the error; both are sent, as the HTTP
// front door does.
type errorBody struct {
	Type         string `json:"Type"`
	Message      string `json:"Message,omitempty"`
	LowerMessage string `json:"message,omitempty"`
	Reason       string `json:"Reason,omitempty"`
}

// errorReply builds the reply to a request that failed before or instead of
// running: AWS's error body, x-amzn-ErrorType and the status.
func errorReply(err error) reply {
	e := errorFor(invoke.KindOf(err))
	typ := "User"
	if e.status >= 500 {
		typ = "Service"
	}
	msg := invoke.MessageOf(err)
	body, _ := json.Marshal(errorBody{Type: typ, Message: msg, LowerMessage: msg, Reason: e.reason})
	return reply{
		contentType: contentTypeJSON,
		body:        body,
		headers: map[string]any{
			headerErrorType: e.code,
			headerStatus:    strconv.Itoa(e.status),
		},
	}
}

// replyError turns a reply's error code, status and body back into the
// invoke error an HTTP front door will map to the same answer.
func replyError(code, status string, body []byte) error {
	st, _ := strconv.Atoi(status)
	var eb errorBody
	json.Unmarshal(body, &eb)
	msg := eb.Message
	if msg == "" {
		msg = eb.LowerMessage
	}
	if msg == "" {
		msg = "The function's worker answered " + code + "."
	}
	return invoke.Errorf(kindFor(code, st), "%s", msg)
}
