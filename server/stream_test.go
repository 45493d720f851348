package server_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// fakeStream is a response stream whose chunks the test releases one by
// one, standing in for a runtime that streams.
type fakeStream struct {
	chunks chan []byte
	result *invoke.Response
	mu     sync.Mutex // protects closed
	closed bool
}

func (f *fakeStream) Read(p []byte) (int, error) {
	c, ok := <-f.chunks
	if !ok {
		return 0, io.EOF
	}
	return copy(p, c), nil
}

func (f *fakeStream) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

func (f *fakeStream) Result() *invoke.Response { return f.result }

// events reads the SDK's event stream into chunks and the InvokeComplete.
func events(t *testing.T, out *lambda.InvokeWithResponseStreamOutput, first chan<- string) ([]string, *types.InvokeWithResponseStreamCompleteEvent) {
	t.Helper()
	stream := out.GetStream()
	defer stream.Close()
	var chunks []string
	var complete *types.InvokeWithResponseStreamCompleteEvent
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			if len(chunks) == 0 && first != nil {
				first <- string(v.Value.Payload)
			}
			chunks = append(chunks, string(v.Value.Payload))
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			complete = &v.Value
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("event stream: %v", err)
	}
	return chunks, complete
}

func TestSDKInvokeWithResponseStream(t *testing.T) {
	fs := &fakeStream{chunks: make(chan []byte)}
	fake := &invoketest.Invoker{Func: func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
		if !req.Stream {
			t.Error("the invoker was not asked for a stream")
		}
		fs.result = invoke.FunctionFailure(req.RequestID, "StreamError", "mid-stream")
		fs.result.LogTail = []byte("END RequestId: " + req.RequestID + "\n")
		return &invoke.Response{RequestID: req.RequestID, Stream: fs}, nil
	}}
	client := newClient(t, fake)
	out, err := client.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String("my-fn"), Payload: []byte(`{}`), LogType: types.LogTypeTail,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("executed version %q", aws.ToString(out.ExecutedVersion))
	}
	first := make(chan string, 1)
	type result struct {
		chunks   []string
		complete *types.InvokeWithResponseStreamCompleteEvent
	}
	done := make(chan result, 1)
	go func() {
		c, ic := events(t, out, first)
		done <- result{c, ic}
	}()
	fs.chunks <- []byte("one")
	// The first chunk reaches the caller while the function still runs.
	select {
	case got := <-first:
		if got != "one" {
			t.Errorf("first chunk %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first chunk did not arrive before the function ended")
	}
	fs.chunks <- []byte("two")
	close(fs.chunks)
	res := <-done
	if strings.Join(res.chunks, "|") != "one|two" {
		t.Errorf("chunks %q", res.chunks)
	}
	c := res.complete
	if c == nil || aws.ToString(c.ErrorCode) != "StreamError" || aws.ToString(c.ErrorDetails) != "mid-stream" {
		t.Fatalf("InvokeComplete %+v", c)
	}
	if tail, _ := base64.StdEncoding.DecodeString(aws.ToString(c.LogResult)); !strings.HasPrefix(string(tail), "END RequestId: ") {
		t.Errorf("log result %q", tail)
	}
}

func TestSDKInvokeWithResponseStreamBuffered(t *testing.T) {
	// An Invoker that answers without a stream (a function error before
	// any byte, or an Invoker that cannot stream): one chunk, then
	// InvokeComplete.
	fake := &invoketest.Invoker{Func: func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
		if string(req.Payload) == `"fail"` {
			return invoke.FunctionFailure(req.RequestID, "Exception", "boom"), nil
		}
		return invoketest.Echo(req), nil
	}}
	client := newClient(t, fake)
	for _, tc := range []struct{ payload, chunks, code string }{
		{`{"a":1}`, `{"a":1}`, ""},
		{`"fail"`, "", "Exception"},
	} {
		out, err := client.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{
			FunctionName: aws.String("my-fn"), Payload: []byte(tc.payload),
		})
		if err != nil {
			t.Fatal(err)
		}
		chunks, c := events(t, out, nil)
		if strings.Join(chunks, "") != tc.chunks || c == nil || aws.ToString(c.ErrorCode) != tc.code {
			t.Errorf("%s: chunks %q, complete %+v", tc.payload, chunks, c)
		}
	}
	_, err := client.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String("nope"), Payload: []byte(`{}`),
	})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}
}
