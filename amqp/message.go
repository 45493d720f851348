package amqp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Message headers: the Invoke API's HTTP headers carried as AMQP headers
// (lambda-api.md §1 and §4). A publisher may send values as strings or as
// bytes (pika sends str as a long string, some clients send byte arrays);
// every other type is refused with an error reply.
const (
	headerClientContext   = "X-Amz-Client-Context"
	headerTraceID         = "X-Amzn-Trace-Id"
	headerTenantID        = "X-Amz-Tenant-Id"
	headerLogType         = "X-Amz-Log-Type"
	headerFunctionError   = "X-Amz-Function-Error"
	headerLogResult       = "X-Amz-Log-Result"
	headerExecutedVersion = "X-Amz-Executed-Version"
	headerErrorType       = "x-amzn-ErrorType"
	// headerStatus carries the HTTP status of a harness error, so that a
	// gateway answers its HTTP caller with the same status (ServiceException
	// is both a 500 and a 503).
	headerStatus = "Lambda-Harness-Status"
	// headerDeadLetterReason says why a message was dead-lettered.
	headerDeadLetterReason = "Lambda-Harness-Dead-Letter-Reason"
	// headerAttempts counts the invocations of a dead-lettered Event.
	headerAttempts = "Lambda-Harness-Attempts"

	contentTypeJSON = "application/json"
	// directReplyTo is RabbitMQ's direct reply-to pseudo queue.
	directReplyTo = "amq.rabbitmq.reply-to"
)

// reply is a message sent back to a request's reply_to.
type reply struct {
	contentType string
	body        []byte
	headers     amqp091.Table
}

func (r reply) publishing(correlationID string) amqp091.Publishing {
	return amqp091.Publishing{
		ContentType:   r.contentType,
		CorrelationId: correlationID,
		Headers:       r.headers,
		Body:          r.body,
	}
}

// decodeRequest turns a delivery from a function's queue into a request: a
// delivery with reply_to is a RequestResponse invocation, one without is an
// Event. The correlation id is the request id; one is made up if missing. A
// malformed delivery gives the request as far as it was read and an invoke
// error in AWS's words.
func decodeRequest(function string, d *amqp091.Delivery) (*invoke.Request, error) {
	req := &invoke.Request{
		RequestID:    d.CorrelationId,
		FunctionName: function,
		Type:         invoke.RequestResponse,
		Payload:      d.Body,
	}
	if req.RequestID == "" {
		req.RequestID = invoke.NewRequestID()
	}
	limit := invoke.MaxSyncPayload
	if d.ReplyTo == "" {
		req.Type, limit = invoke.Event, invoke.MaxEventPayload
	}
	for name, v := range d.Headers {
		var dst *string
		switch {
		case strings.EqualFold(name, headerClientContext):
			dst = &req.ClientContext
		case strings.EqualFold(name, headerTraceID):
			dst = &req.TraceID
		case strings.EqualFold(name, headerTenantID):
			dst = &req.TenantID
		case strings.EqualFold(name, headerLogType):
			var logType string
			if err := headerString(name, v, &logType); err != nil {
				return req, err
			}
			switch logType {
			case "", "None":
			case "Tail":
				req.Tail = req.Type == invoke.RequestResponse
			default:
				return req, invoke.Errorf(invoke.Validation,
					"1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: "+
						"Member must satisfy enum value set: [None, Tail]", logType)
			}
			continue
		default:
			continue
		}
		if err := headerString(name, v, dst); err != nil {
			return req, err
		}
	}
	if err := decodeClientContext(req); err != nil {
		return req, err
	}
	if err := checkTenantID(req.TenantID); err != nil {
		return req, err
	}
	if req.Type == invoke.Event {
		// Lambda passes the client context to synchronous invocations only.
		req.ClientContext = ""
	}
	if len(req.Payload) > limit {
		if req.Type == invoke.Event {
			return req, invoke.Errorf(invoke.TooLarge,
				"%d byte payload is too large for the Event invocation type (limit %d bytes)", len(req.Payload), limit)
		}
		return req, invoke.Errorf(invoke.TooLarge,
			"Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	if len(req.Payload) > 0 && !json.Valid(req.Payload) {
		return req, invoke.Errorf(invoke.InvalidContent, "Could not parse request body into json: invalid JSON")
	}
	return req, nil
}

// headerString stores a header value that is a string or bytes in dst.
func headerString(name string, v any, dst *string) error {
	switch s := v.(type) {
	case string:
		*dst = s
	case []byte:
		*dst = string(s)
	default:
		return invoke.Errorf(invoke.InvalidParameter,
			"Header %s must be a string, not %s.", name, typeName(v))
	}
	return nil
}

func typeName(v any) string {
	if v == nil {
		return "void"
	}
	return fmt.Sprintf("%T", v)
}

// decodeClientContext replaces the base64 X-Amz-Client-Context with the
// JSON object it encodes, checked as the Invoke API checks it.
func decodeClientContext(req *invoke.Request) error {
	v := req.ClientContext
	if v == "" {
		return nil
	}
	if len(v) > invoke.MaxClientContext {
		return invoke.Errorf(invoke.InvalidParameter,
			"Client context must be at most %d bytes, base64 encoded.", invoke.MaxClientContext)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(v); err != nil {
			return badClientContext()
		}
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil || obj == nil {
		return badClientContext()
	}
	req.ClientContext = string(b)
	return nil
}

func badClientContext() error {
	return invoke.Errorf(invoke.InvalidParameter, "Client context must be a valid Base64-encoded JSON object.")
}

// checkTenantID checks X-Amz-Tenant-Id against the API model: 1 to 256 of
// [a-zA-Z0-9._:/=+\-@ ].
func checkTenantID(v string) error {
	if len(v) > 256 {
		return invoke.Errorf(invoke.Validation,
			"1 validation error detected: Value '%s' at 'tenantId' failed to satisfy constraint: "+
				"Member must have length less than or equal to 256", v)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("._:/=+-@ ", c) >= 0:
		default:
			return invoke.Errorf(invoke.Validation,
				"1 validation error detected: Value '%s' at 'tenantId' failed to satisfy constraint: "+
					"Member must satisfy regular expression pattern: [a-zA-Z0-9\\._:\\/=+\\-@ ]+", v)
		}
	}
	return nil
}

// responseReply builds the reply to an invocation that ran: the payload (or
// AWS's error object) with X-Amz-Function-Error on a function failure and
// X-Amz-Log-Result when the request asked for the log tail.
func responseReply(req *invoke.Request, resp *invoke.Response) reply {
	r := reply{contentType: resp.ContentType, body: resp.Payload, headers: amqp091.Table{}}
	if r.contentType == "" {
		r.contentType = contentTypeJSON
	}
	version := resp.ExecutedVersion
	if version == "" {
		version = invoke.LatestVersion
	}
	r.headers[headerExecutedVersion] = version
	if resp.FunctionError != "" {
		r.headers[headerFunctionError] = resp.FunctionError
	}
	if req.Tail {
		r.headers[headerLogResult] = base64.StdEncoding.EncodeToString(resp.LogTail)
	}
	return r
}

// requestHeaders are the headers a Client sends with req.
func requestHeaders(req *invoke.Request) amqp091.Table {
	h := amqp091.Table{}
	if req.ClientContext != "" {
		h[headerClientContext] = base64.StdEncoding.EncodeToString([]byte(req.ClientContext))
	}
	if req.TraceID != "" {
		h[headerTraceID] = req.TraceID
	}
	if req.TenantID != "" {
		h[headerTenantID] = req.TenantID
	}
	if req.Tail && req.InvocationType() == invoke.RequestResponse {
		h[headerLogType] = "Tail"
	}
	return h
}

// decodeReply turns a reply into the Response it carries, or into the
// harness error it reports (x-amzn-ErrorType).
func decodeReply(d *amqp091.Delivery) (*invoke.Response, error) {
	get := func(name string) string {
		var s string
		if v, ok := d.Headers[name]; ok {
			headerString(name, v, &s)
		}
		return s
	}
	if code := get(headerErrorType); code != "" {
		return nil, replyError(code, get(headerStatus), d.Body)
	}
	resp := &invoke.Response{
		RequestID:       d.CorrelationId,
		Payload:         d.Body,
		ContentType:     d.ContentType,
		FunctionError:   get(headerFunctionError),
		ExecutedVersion: get(headerExecutedVersion),
	}
	if resp.ExecutedVersion == "" {
		resp.ExecutedVersion = invoke.LatestVersion
	}
	if resp.FunctionError != "" {
		var obj invoke.ErrorObject
		if json.Unmarshal(d.Body, &obj) == nil {
			resp.ErrorType = obj.ErrorType
		}
	}
	if tail := get(headerLogResult); tail != "" {
		b, err := base64.StdEncoding.DecodeString(tail)
		if err == nil {
			resp.LogTail = b
		}
	}
	return resp, nil
}
