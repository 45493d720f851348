// Command badmode is a test function that answers every invocation with a
// response mode the Runtime API does not know
// (Lambda-Runtime-Function-Response-Mode: bogus). It is a raw Runtime API
// client over net/http, since no runtime client sends a bad mode on
// purpose. It prints "badmode: response status <status>" to stderr after
// each post and then waits for the next event. It ignores its event.
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	client := &http.Client{Transport: &http.Transport{}} // no proxy: the API is local
	for {
		resp, err := client.Get(base + "next")
		if err != nil {
			log.Fatalf("badmode: next: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")

		req, err := http.NewRequest(http.MethodPost, base+id+"/response", strings.NewReader(`{"bogus":true}`))
		if err != nil {
			log.Fatalf("badmode: %v", err)
		}
		req.Header.Set("Lambda-Runtime-Function-Response-Mode", "bogus")
		req.Header.Set("Content-Type", "application/json")
		resp, err = client.Do(req)
		if err != nil {
			log.Fatalf("badmode: response: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprintf(os.Stderr, "badmode: response status %s\n", resp.Status)
	}
}
