package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/lambda-harness/lambda-harness/invoke"
)

// functionName returns the bare name and qualifier the request names: the
// FunctionName path parameter, percent-decoded (SDKs send ':' as %3A), and
// the Qualifier query parameter, which must agree with a qualifier in the
// name.
func functionName(r *http.Request) (name, qualifier string, err error) {
	raw := chi.URLParam(r, paramName)
	if r.URL.RawPath != "" {
		// chi routed on the escaped path, so the parameter is still
		// escaped. Without RawPath it was routed, and is, already decoded.
		if raw, err = url.PathUnescape(raw); err != nil {
			return "", "", invoke.Errorf(invoke.Validation, "FunctionName is not a valid percent-encoded path segment.")
		}
	}
	name, fromName, err := invoke.ParseFunctionName(raw)
	if err != nil {
		return "", "", err
	}
	var fromQuery string
	if r.URL.RawQuery != "" { // parse the query only if there is one
		fromQuery = r.URL.Query().Get(queryQualifier)
	}
	qualifier, err = invoke.ValidateQualifier(fromName, fromQuery)
	if err != nil {
		return "", "", err
	}
	return name, qualifier, nil
}

// invocationType returns X-Amz-Invocation-Type, RequestResponse by default.
func invocationType(r *http.Request) (invoke.InvocationType, error) {
	switch v := r.Header.Get(headerInvocationType); v {
	case "", string(invoke.RequestResponse):
		return invoke.RequestResponse, nil
	case string(invoke.Event):
		return invoke.Event, nil
	case string(invoke.DryRun):
		return invoke.DryRun, nil
	default:
		return "", enumError(v, "invocationType", "[Event, RequestResponse, DryRun]")
	}
}

// tail reports whether X-Amz-Log-Type asks for the log tail.
func tail(r *http.Request) (bool, error) {
	switch v := r.Header.Get(headerLogType); v {
	case "", "None":
		return false, nil
	case "Tail":
		return true, nil
	default:
		return false, enumError(v, "logType", "[None, Tail]")
	}
}

// enumError is AWS's validation error for a value outside an enum.
func enumError(value, member, set string) error {
	return invoke.Errorf(invoke.Validation,
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: %s",
		value, member, set)
}

// badClientContext is AWS's answer to an X-Amz-Client-Context that is not
// base64 of a JSON object.
func badClientContext() error {
	return invoke.Errorf(invoke.InvalidParameter, "Client context must be a valid Base64-encoded JSON object.")
}

// clientContext decodes X-Amz-Client-Context: at most 3,583 bytes of base64
// whose content is a JSON object.
func clientContext(r *http.Request) (string, error) {
	v := r.Header.Get(headerClientContext)
	if v == "" {
		return "", nil
	}
	if len(v) > invoke.MaxClientContext {
		return "", invoke.Errorf(invoke.InvalidParameter,
			"Client context must be at most %d bytes, base64 encoded.", invoke.MaxClientContext)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		// Some clients leave out the padding.
		if b, err = base64.RawStdEncoding.DecodeString(v); err != nil {
			return "", badClientContext()
		}
	}
	if !json.Valid(b) || firstNonSpace(b) != '{' {
		return "", badClientContext()
	}
	return string(b), nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return c
		}
	}
	return 0
}

// maxTenantID is the longest X-Amz-Tenant-Id.
const maxTenantID = 256

// tenantID checks X-Amz-Tenant-Id against the API model: 1 to 256 of
// [a-zA-Z0-9._:/=+\-@ ].
func tenantID(r *http.Request) (string, error) {
	v := r.Header.Get(headerTenantID)
	if v == "" {
		return "", nil
	}
	if len(v) > maxTenantID {
		return "", invoke.Errorf(invoke.Validation,
			"1 validation error detected: Value '%s' at 'tenantId' failed to satisfy constraint: "+
				"Member must have length less than or equal to %d", v, maxTenantID)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == ':', c == '/', c == '=', c == '+', c == '-', c == '@', c == ' ':
		default:
			return "", invoke.Errorf(invoke.Validation,
				"1 validation error detected: Value '%s' at 'tenantId' failed to satisfy constraint: "+
					"Member must satisfy regular expression pattern: [a-zA-Z0-9\\._:\\/=+\\-@ ]+", v)
		}
	}
	return v, nil
}

// readPayload reads the request body, refusing more than limit bytes with
// tooLarge(size), where size is -1 when the body's length is unknown. With a
// Content-Length the body is read once into a buffer of exactly that size;
// an oversized one is refused without being read.
func readPayload(r *http.Request, limit int64, tooLarge func(size int64) error) ([]byte, error) {
	switch n := r.ContentLength; {
	case n > limit:
		return nil, tooLarge(n)
	case n == 0:
		return nil, nil
	case n > 0:
		buf := make([]byte, n)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, readError(err)
		}
		return buf, nil
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(buf)) > limit {
		return nil, tooLarge(-1)
	}
	return buf, nil
}

func readError(err error) error {
	return invoke.Wrap(invoke.InvalidContent, "Could not read the request body.", err)
}

// checkJSON reports a non-empty payload that is not JSON the way AWS does.
// An empty payload passes: the runtime receives an empty event.
func checkJSON(payload []byte) error {
	if len(payload) == 0 || json.Valid(payload) {
		return nil
	}
	// Invalid: decode again, only to say why.
	var raw json.RawMessage
	err := json.Unmarshal(payload, &raw)
	if err == nil {
		err = errors.New("invalid JSON")
	}
	return invoke.Errorf(invoke.InvalidContent, "Could not parse request body into json: %s", err)
}
