// Command stream is a test function that streams its response. It is a
// raw Runtime API client over net/http because aws-lambda-go (v1.55) cannot
// post a response in streaming mode.
//
// Event: {"chunks": N, "interval_ms": M, "fail": bool}. It posts its
// response with Lambda-Runtime-Function-Response-Mode: streaming as a
// chunked body of N pieces "chunk i\n" (default 3), each sent and flushed on
// its own, M milliseconds apart. With fail it then ends the stream with the
// error trailers Lambda-Runtime-Function-Error-Type: StreamError and
// Lambda-Runtime-Function-Error-Body: base64 of
// {"errorMessage":"stream failed","errorType":"StreamError"}.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

type event struct {
	Chunks     *int `json:"chunks"`
	IntervalMs int  `json:"interval_ms"`
	Fail       bool `json:"fail"`
}

const (
	headerRequestID    = "Lambda-Runtime-Aws-Request-Id"
	headerResponseMode = "Lambda-Runtime-Function-Response-Mode"
	trailerErrorType   = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody   = "Lambda-Runtime-Function-Error-Body"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	client := &http.Client{Transport: &http.Transport{}} // no proxy: the API is local
	for {
		id, payload, err := next(client, base)
		if err != nil {
			log.Fatalf("stream: %v", err)
		}
		var e event
		if err := json.Unmarshal(payload, &e); err != nil {
			log.Printf("stream: event: %v", err)
		}
		if err := respond(client, base+id+"/response", e); err != nil {
			log.Printf("stream: %v", err)
		}
	}
}

func next(client *http.Client, base string) (id string, payload []byte, err error) {
	resp, err := client.Get(base + "next")
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	payload, err = io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("next: %s: %s", resp.Status, payload)
	}
	return resp.Header.Get(headerRequestID), payload, nil
}

func respond(client *http.Client, url string, e event) error {
	chunks := 3
	if e.Chunks != nil {
		chunks = *e.Chunks
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		return err
	}
	req.ContentLength = -1 // chunked: each write below is one chunk, flushed
	req.Header.Set(headerResponseMode, "streaming")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Trailer = http.Header{trailerErrorType: nil, trailerErrorBody: nil}
	go func() {
		for i := 1; i <= chunks; i++ {
			if i > 1 && e.IntervalMs > 0 {
				time.Sleep(time.Duration(e.IntervalMs) * time.Millisecond)
			}
			if _, err := fmt.Fprintf(pw, "chunk %d\n", i); err != nil {
				return
			}
		}
		if e.Fail {
			body, _ := json.Marshal(map[string]string{"errorMessage": "stream failed", "errorType": "StreamError"})
			// The transport reads the trailer values after the body's EOF.
			req.Trailer.Set(trailerErrorType, "StreamError")
			req.Trailer.Set(trailerErrorBody, base64.StdEncoding.EncodeToString(body))
		}
		pw.Close()
	}()
	resp, err := client.Do(req)
	if err != nil {
		pr.CloseWithError(err)
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("response: %s: %s", resp.Status, msg)
	}
	return nil
}
