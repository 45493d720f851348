package invoke

import (
	"errors"
	"fmt"
)

// Kind classifies why the harness could not run a function. The front doors
// map each kind to a status code and an AWS error code in one table.
type Kind uint8

// The kinds of harness error.
const (
	// Internal is a failure of the harness itself (500 ServiceException).
	Internal Kind = iota
	// NotFound: no such function (404 ResourceNotFoundException).
	NotFound
	// Throttled: concurrency and wait queue exhausted (429
	// TooManyRequestsException).
	Throttled
	// TooLarge: request payload over the limit (413
	// RequestEntityTooLargeException).
	TooLarge
	// InvalidContent: the payload is not valid JSON (400
	// InvalidRequestContentException).
	InvalidContent
	// InvalidParameter: a bad header or parameter value (400
	// InvalidParameterValueException).
	InvalidParameter
	// Validation: a malformed name or ARN (400 ValidationException).
	Validation
	// Unavailable: the harness is shutting down or cannot reach where the
	// function runs (503 ServiceException).
	Unavailable
	// NotReady: the runtime could not be started (502
	// ResourceNotReadyException).
	NotReady
	// UnsupportedMedia: the content type is not accepted (415
	// UnsupportedMediaTypeException).
	UnsupportedMedia
)

var kindNames = [...]string{
	Internal:         "internal error",
	NotFound:         "not found",
	Throttled:        "throttled",
	TooLarge:         "too large",
	InvalidContent:   "invalid content",
	InvalidParameter: "invalid parameter",
	Validation:       "validation",
	Unavailable:      "unavailable",
	NotReady:         "not ready",
	UnsupportedMedia: "unsupported media type",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is a harness error with a Kind. Message is safe to show callers;
// Err (internal detail) is for logs only.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

// Errorf returns an *Error of kind k whose caller-facing message is the
// formatted text.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k with a caller-facing message and an
// internal cause.
func Wrap(k Kind, message string, err error) error {
	return &Error{Kind: k, Message: message, Err: err}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, &invoke.Error{Kind: invoke.NotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == "" && t.Err == nil
}

// KindOf returns the Kind of the first *Error in err's chain, Internal if
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// MessageOf returns the caller-facing message of the first *Error in err's
// chain, or a generic message that reveals nothing internal.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "An internal error occurred."
}
