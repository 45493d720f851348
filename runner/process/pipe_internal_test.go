package process

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/runner"
)

func TestPipeReaderSync(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p, err := newPipeReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got int
	done := make(chan struct{})
	go func() {
		defer close(done)
		readLines(p, runner.Stdout, func(runner.Stream, []byte) {
			time.Sleep(100 * time.Microsecond) // a slow log: the reader lags the writer
			mu.Lock()
			got++
			mu.Unlock()
		})
		p.finish()
	}()
	const lines = 500
	for i := range lines {
		fmt.Fprintf(w, "line %d\n", i)
	}
	// A partial line does not hold sync up: it is kept for later.
	fmt.Fprint(w, "partial")
	p.sync(time.Now().Add(10 * time.Second))
	mu.Lock()
	n := got
	mu.Unlock()
	if n != lines {
		t.Errorf("after sync %d lines passed on, want all %d written before it", n, lines)
	}
	w.Close()
	<-done
	if got != lines+1 {
		t.Errorf("%d lines in all, want %d", got, lines+1)
	}
	p.sync(time.Now().Add(time.Second)) // after the end: returns at once
	r.Close()
}
