package container

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// The Invoke API headers forwarded to an emulator and read from its
// answer (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html),
// and the harness's own: the request id this harness gave the invocation,
// which the harness inside uses as its own so that both logs agree.
const (
	headerClientContext = "X-Amz-Client-Context"
	headerTraceID       = "X-Amzn-Trace-Id"
	headerTenantID      = "X-Amz-Tenant-Id"
	headerFunctionError = "X-Amz-Function-Error"
	headerRequestID     = "Lambda-Harness-Request-Id"
)

// Waiting for an emulator to listen: a poll every emulatorPoll, for at
// most emulatorStartTimeout.
const (
	emulatorPoll         = 10 * time.Millisecond
	emulatorStartTimeout = 30 * time.Second
)

// emulated is an environment whose own emulator serves the Runtime API;
// invocations are forwarded to it.
type emulated struct {
	*environment
	// url is the emulator's Invoke API for the function.
	url string
}

var _ runner.Forwarder = (*emulated)(nil)

// newForwardClient returns the launcher's client for emulators: keep-alive
// connections, no proxy (they are on loopback), no overall timeout (each
// invocation's context has its deadline).
func newForwardClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// awaitEmulator finds the host port of the container's emulator and waits
// until the emulator answers HTTP on it. A bare TCP connection proves
// nothing: Docker's proxy accepts on the host port before anything listens
// in the container. It fails early if the container exits.
func (e *environment) awaitEmulator(ctx context.Context, name string) (*emulated, error) {
	ctx, cancel := context.WithTimeout(ctx, emulatorStartTimeout)
	defer cancel()
	in, err := e.l.cli.ContainerInspect(ctx, e.id, client.ContainerInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("find the emulator's port: %w", err)
	}
	var hostPort string
	if ns := in.Container.NetworkSettings; ns != nil {
		for _, b := range ns.Ports[network.MustParsePort(emulatorPort)] {
			if b.HostIP.IsLoopback() && b.HostPort != "" {
				hostPort = b.HostPort
			}
		}
	}
	if hostPort == "" {
		// An exited container has no ports: say that it exited, once its
		// exit has been seen, rather than that the port is missing.
		if st := in.Container.State; st != nil && !st.Running {
			select {
			case <-e.done:
				return nil, fmt.Errorf("the container exited (%s) before its emulator (%s) accepted connections", e.ExitReason(), emulatorPath)
			case <-ctx.Done():
			}
		}
		return nil, fmt.Errorf("find the emulator's port: docker published no loopback port for %s", emulatorPort)
	}
	base := "http://" + net.JoinHostPort("127.0.0.1", hostPort)
	t := time.NewTicker(emulatorPoll)
	defer t.Stop()
	for !e.probe(ctx, base) {
		select {
		case <-e.done:
			return nil, fmt.Errorf("the container exited (%s) before its emulator (%s) accepted connections", e.ExitReason(), emulatorPath)
		case <-ctx.Done():
			return nil, fmt.Errorf("the emulator in the container (%s) did not accept connections on %s: %w", emulatorPath, emulatorPort, context.Cause(ctx))
		case <-t.C:
		}
	}
	return &emulated{environment: e, url: base + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"}, nil
}

// probe reports whether an HTTP server answers at base, whatever it says.
func (e *environment) probe(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	if err != nil {
		return false
	}
	resp, err := e.l.http.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return true
}

// Forward invokes the function through the emulator inside the container
// and returns its answer: the payload, or the function's error object with
// FunctionError set. An error means the emulator could not be reached,
// broke off, or answered with an error of its own.
func (e *emulated) Forward(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(req.Payload))
	if err != nil {
		return nil, err
	}
	h := hreq.Header
	h.Set("Content-Type", "application/json")
	if req.ClientContext != "" {
		h.Set(headerClientContext, base64.StdEncoding.EncodeToString([]byte(req.ClientContext)))
	}
	if req.TraceID != "" {
		h.Set(headerTraceID, req.TraceID)
	}
	if req.TenantID != "" {
		h.Set(headerTenantID, req.TenantID)
	}
	h.Set(headerRequestID, req.RequestID)
	resp, err := e.l.http.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("forward to the emulator: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, invoke.MaxResponsePayload+1))
	if err != nil {
		return nil, fmt.Errorf("read the emulator's answer: %w", err)
	}
	funcErr := resp.Header.Get(headerFunctionError)
	if funcErr == "" && resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("the emulator answered %s: %.512s", resp.Status, body)
	}
	if len(body) > invoke.MaxResponsePayload {
		return invoke.FunctionFailure(req.RequestID, invoke.ErrorTypeTooLarge,
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", invoke.MaxResponsePayload)), nil
	}
	out := &invoke.Response{
		RequestID:       req.RequestID,
		Payload:         body,
		ContentType:     resp.Header.Get("Content-Type"),
		ExecutedVersion: invoke.LatestVersion,
	}
	if funcErr != "" {
		out.FunctionError = invoke.FunctionErrorUnhandled
		out.ErrorType = errorTypeOf(body)
	}
	return out, nil
}

// errorTypeOf returns the errorType of an error object, or Function.Unknown.
func errorTypeOf(body []byte) string {
	var obj struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &obj) != nil || obj.ErrorType == "" {
		return invoke.ErrorTypeUnknown
	}
	return obj.ErrorType
}
