// Command extension-go is a test external extension written against the
// Extensions API with net/http only, as a Go extension would be.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
//
// It registers under its file name for INVOKE and SHUTDOWN and appends one
// line per event to the file of that name in the directory EXT_RECORD_DIR:
//
//	INVOKE <requestId> <deadlineMs> <receivedMs>
//	SHUTDOWN <shutdownReason> <deadlineMs> <receivedMs>
//
// After an INVOKE it waits EXT_HOLD_MS milliseconds (default 0) before it
// asks for the next event, so that tests can see the invocation wait. With
// EXT_TELEMETRY_PORT set it also subscribes to the Telemetry API and
// appends each batch it receives to <name>.telemetry there, one JSON array
// a line.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

var base = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API")

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "extension-go:", err)
		os.Exit(1)
	}
}

func run() error {
	name := filepath.Base(os.Args[0])
	req, _ := http.NewRequest("POST", base+"/2020-01-01/extension/register",
		bytes.NewReader([]byte(`{"events":["INVOKE","SHUTDOWN"]}`)))
	req.Header.Set("Lambda-Extension-Name", name)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("register: %s", resp.Status)
	}
	id := resp.Header.Get("Lambda-Extension-Identifier")
	if port := os.Getenv("EXT_TELEMETRY_PORT"); port != "" {
		if err := subscribe(id, port, recordPath()+".telemetry"); err != nil {
			return err
		}
	}
	hold, _ := strconv.Atoi(os.Getenv("EXT_HOLD_MS"))
	fmt.Println("extension-go: registered as", name)
	for {
		req, _ := http.NewRequest("GET", base+"/2020-01-01/extension/event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var ev struct {
			EventType      string `json:"eventType"`
			DeadlineMs     int64  `json:"deadlineMs"`
			RequestID      string `json:"requestId"`
			ShutdownReason string `json:"shutdownReason"`
		}
		err = json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if err != nil {
			return err
		}
		arg := ev.RequestID
		if ev.EventType == "SHUTDOWN" {
			arg = ev.ShutdownReason
		}
		record(fmt.Sprintf("%s %s %d %d\n", ev.EventType, arg, ev.DeadlineMs, time.Now().UnixMilli()))
		if ev.EventType == "SHUTDOWN" {
			return nil
		}
		time.Sleep(time.Duration(hold) * time.Millisecond)
	}
}

var mu sync.Mutex

func record(line string) { appendTo(recordPath(), line) }

func recordPath() string {
	return filepath.Join(os.Getenv("EXT_RECORD_DIR"), filepath.Base(os.Args[0]))
}

func appendTo(path, line string) {
	mu.Lock()
	defer mu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "extension-go:", err)
		return
	}
	f.WriteString(line)
	f.Close()
}

// subscribe listens on port and subscribes to the Telemetry API there, at
// sandbox.localdomain as on Lambda.
func subscribe(id, port, out string) error {
	go http.ListenAndServe("127.0.0.1:"+port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		appendTo(out, string(bytes.TrimSpace(b))+"\n")
	}))
	body := `{"schemaVersion":"2022-12-13","types":["platform","function","extension"],` +
		`"buffering":{"maxItems":1000,"maxBytes":262144,"timeoutMs":25},` +
		`"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:` + port + `/telemetry"}}`
	req, _ := http.NewRequest("PUT", base+"/2022-07-01/telemetry", bytes.NewReader([]byte(body)))
	req.Header.Set("Lambda-Extension-Identifier", id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("telemetry subscribe: %s", resp.Status)
	}
	return nil
}
