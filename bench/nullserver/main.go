// Command nullserver is the HTTP throughput ceiling for bench/run.sh: a
// net/http server that does no work beyond answering each POST with its own
// request body, so whatever it reaches under `hey` on a machine is the most
// any Go HTTP front end could reach there with the same client.
//
// It binds -listen (default 127.0.0.1:0, a free port) and prints
// "listening <host:port>" on stderr once it accepts connections. It stops on
// SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "nullserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("nullserver", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address (host:port) to listen on; port 0 picks a free port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintln(os.Stderr, "listening", ln.Addr().String())

	srv := &http.Server{Handler: http.HandlerFunc(echo)}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// echo answers a POST with its body, as the echo function does through the
// harness, and anything else with 405.
func echo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
