package invoke

// InvocationType says how the caller waits for an invocation
// (X-Amz-Invocation-Type).
type InvocationType string

// The invocation types of the Invoke API.
const (
	// RequestResponse runs the function and returns its result (the default).
	RequestResponse InvocationType = "RequestResponse"
	// Event queues the invocation and returns at once (HTTP 202); the
	// function runs later and is retried on error.
	Event InvocationType = "Event"
	// DryRun only validates the request (HTTP 204).
	DryRun InvocationType = "DryRun"
)

// Limits of the Invoke API, in bytes.
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
const (
	// MaxSyncPayload is the largest RequestResponse request body.
	MaxSyncPayload = 6_291_456
	// MaxEventPayload is the largest Event request body.
	MaxEventPayload = 1_048_576
	// MaxResponsePayload is the largest response a runtime may post.
	MaxResponsePayload = 6_291_556
	// MaxClientContext is the largest X-Amz-Client-Context, base64 encoded.
	MaxClientContext = 3_583
	// LogTailSize is how much of an invocation's log Tail returns.
	LogTailSize = 4_096
	// MaxStreamPayload is the largest streamed response.
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
	MaxStreamPayload = 200 << 20
)

// Request is one invocation of a function.
type Request struct {
	// RequestID identifies the invocation everywhere: the runtime's
	// Lambda-Runtime-Aws-Request-Id, the log lines, x-amzn-RequestId. The
	// front door sets it (NewRequestID); an Invoker fills it in if empty.
	RequestID string
	// FunctionName is the bare function name, already resolved from an ARN
	// or partial ARN (see ParseFunctionName).
	FunctionName string
	// Qualifier is the version or alias asked for, "" for $LATEST.
	Qualifier string
	// Type is how the caller waits; "" means RequestResponse.
	Type InvocationType
	// Tail asks for the last 4 KB of the invocation's log in the response
	// (X-Amz-Log-Type: Tail); RequestResponse only.
	Tail bool
	// Payload is the event, normally JSON.
	Payload []byte
	// ClientContext is the decoded X-Amz-Client-Context (JSON), or "".
	ClientContext string
	// CognitoIdentity is the caller's Cognito identity (JSON), or "".
	CognitoIdentity string
	// TraceID is the X-Ray trace header (X-Amzn-Trace-Id), or "".
	TraceID string
	// TenantID is the tenant (X-Amz-Tenant-Id), or "".
	TenantID string
	// Stream asks for the response as the function produces it
	// (InvokeWithResponseStream): an Invoker that can stream sets
	// Response.Stream instead of Payload for a successful response.
	Stream bool
}

// InvocationType returns r.Type, defaulting to RequestResponse.
func (r *Request) InvocationType() InvocationType {
	if r.Type == "" {
		return RequestResponse
	}
	return r.Type
}
