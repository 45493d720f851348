package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestResponseStreaming calls InvokeWithResponseStream with aws-sdk-go-v2
// against real runtimes: aws-lambda-go streaming an io.Reader, and a raw
// client posting in streaming mode with error trailers.
func TestResponseStreaming(t *testing.T) {
	t.Parallel()
	h := startServe(t, functionFlags(
		spec(t, "reader", "reader"),
		spec(t, "stream", "stream"),
	)...)
	client := newLambdaClient(h.URL)

	t.Run("first chunk before the function ends", func(t *testing.T) {
		gate := filepath.Join(t.TempDir(), "gate")
		payload, _ := json.Marshal(map[string]any{"chunks": []string{"first,", "second,", "third"}, "gate": gate})
		out := streamInvoke(t, client, "reader", payload)
		stream := out.GetStream()
		defer stream.Close()
		var chunks []string
		var complete *types.InvokeWithResponseStreamCompleteEvent
		for ev := range stream.Events() {
			switch v := ev.(type) {
			case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
				if len(chunks) == 0 {
					// The function waits for this file before it sends the
					// rest: the first chunk came while it was still running.
					if err := os.WriteFile(gate, nil, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				chunks = append(chunks, string(v.Value.Payload))
			case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
				complete = &v.Value
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(chunks, ""); got != "first,second,third" || len(chunks) < 2 {
			t.Errorf("chunks %q: want the response in more than one chunk", chunks)
		}
		if complete == nil || complete.ErrorCode != nil {
			t.Errorf("InvokeComplete %+v", complete)
		}
	})

	t.Run("mid-stream error", func(t *testing.T) {
		for _, tc := range []struct{ fn, payload, code string }{
			{"reader", `{"chunks":["partial"],"fail":true}`, ""},
			{"stream", `{"chunks":2,"fail":true}`, "StreamError"},
		} {
			out := streamInvoke(t, client, tc.fn, []byte(tc.payload))
			chunks, complete := collect(t, out)
			if chunks == "" {
				t.Errorf("%s: no chunk before the error", tc.fn)
			}
			if complete == nil || aws.ToString(complete.ErrorCode) == "" ||
				(tc.code != "" && aws.ToString(complete.ErrorCode) != tc.code) {
				t.Errorf("%s: InvokeComplete %+v, want ErrorCode %q", tc.fn, complete, tc.code)
			}
		}
	})

	t.Run("log tail", func(t *testing.T) {
		out, err := client.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{
			FunctionName: aws.String("stream"), Payload: []byte(`{"chunks":2}`), LogType: types.LogTypeTail,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, complete := collect(t, out)
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(complete.LogResult))
		if !strings.Contains(string(tail), "REPORT RequestId: ") {
			t.Errorf("log result %q", tail)
		}
	})

	t.Run("plain invoke returns the whole body", func(t *testing.T) {
		r := h.invoke(t, "stream", `{"chunks":3}`)
		if r.Status != 200 || string(r.Body) != "chunk 1\nchunk 2\nchunk 3\n" {
			t.Errorf("plain invoke: %d %q %v", r.Status, r.Body, r.Header)
		}
	})
}

func streamInvoke(t *testing.T, client *lambda.Client, name string, payload []byte) *lambda.InvokeWithResponseStreamOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	out, err := client.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String(name), Payload: payload,
	})
	if err != nil {
		t.Fatalf("InvokeWithResponseStream %s: %v", name, err)
	}
	return out
}

// collect reads a whole event stream.
func collect(t *testing.T, out *lambda.InvokeWithResponseStreamOutput) (string, *types.InvokeWithResponseStreamCompleteEvent) {
	t.Helper()
	stream := out.GetStream()
	defer stream.Close()
	var b strings.Builder
	var complete *types.InvokeWithResponseStreamCompleteEvent
	for ev := range stream.Events() {
		switch v := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			b.Write(v.Value.Payload)
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			complete = &v.Value
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String(), complete
}
