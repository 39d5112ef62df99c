// Command refsvc is the reference Go service on which the bench harness takes every measurement.
// See README.md for its HTTP interface and configuration.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"benchrefsvc/internal/starttime"
)

// service is the running reference service's state.
type service struct {
	cfg     Config
	variant buildVariant
	start   time.Time
	startup startup
	ready   atomic.Bool
	// readyAt is when the listener opened, the first moment /ready can answer 200; zero before.
	readyAt time.Time
	// firstReadyNs is when /ready first answered 200, ns after start; 0 before.
	firstReadyNs atomic.Int64
}

// processStart is the earliest moment the service's Go code runs (package starttime); processStartup
// adds how long the kernel had the process before that: fork, and under a container runtime its
// set-up of the container before exec, then exec and the Go runtime's bootstrap.
var (
	processStart   = starttime.At
	processStartup = readStartup(bootTime)
)

func newService(cfg Config) *service {
	s := &service{cfg: cfg, variant: readBuildVariant(), start: processStart, startup: processStartup}
	s.ready.Store(true)
	return s
}

func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		text(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if s.ready.Load() {
			s.firstReadyNs.CompareAndSwap(0, int64(time.Since(s.start)))
			text(w, http.StatusOK, "ready")
			return
		}
		text(w, http.StatusServiceUnavailable, "shutting down")
	})
	mux.HandleFunc("GET /work", handleWork)
	mux.HandleFunc("GET /debug/runtime", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(takeSnapshot(s))
	})
	return mux
}

func text(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// logJSON writes one JSON object per line to stdout (container logs).
func logJSON(fields map[string]any) {
	fields["time"] = time.Now().UTC().Format(time.RFC3339Nano)
	b, _ := json.Marshal(fields)
	_, _ = os.Stdout.Write(append(b, '\n'))
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if isHelp(err) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "refsvc: bad configuration: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(cfg))
}

func run(cfg Config) int {
	s := newService(cfg)
	heapStart := time.Now()
	liveBytes := buildLiveHeap(cfg.LiveHeapMiB)
	heapBuildMs := float64(time.Since(heapStart).Microseconds()) / 1000

	// Signals are caught before the port opens, so a SIGTERM right after start is handled too.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "refsvc: cannot listen on %s (ADDR / -addr): %v\n", cfg.Addr, err)
		return 1
	}
	srv := &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	serveErr := make(chan error, 1)
	// Ready from here: connections queue on the open listener and Serve answers them.
	s.readyAt = time.Now()
	go func() { serveErr <- srv.Serve(ln) }()

	logJSON(map[string]any{
		"event": "start", "addr": ln.Addr().String(), "gomaxprocs": runtime.GOMAXPROCS(0), "numCPU": runtime.NumCPU(),
		"gcVariant": s.variant.GCVariant, "goVersion": runtime.Version(), "stripped": s.variant.Stripped,
		"liveHeapMiB": cfg.LiveHeapMiB, "liveHeapBytes": liveBytes, "liveHeapBuildMs": heapBuildMs,
		"graceful": cfg.Graceful, "drainMs": cfg.DrainMs, "shutdownTimeoutMs": cfg.ShutdownTimeoutMs, "pid": os.Getpid(),
		"processStartToReadyMs": s.startupTimes().ProcessStartToReadyMs, "kernelStartToReadyMs": s.startupTimes().KernelStartToReadyMs,
	})

	select {
	case err := <-serveErr:
		fmt.Fprintf(os.Stderr, "refsvc: server stopped: %v\n", err)
		return 1
	case sig := <-sigs:
		return s.shutdown(srv, sig)
	}
}

// shutdown follows the Kubernetes pattern: not ready at once, wait the drain delay (the role of a
// preStop sleep) while still serving, then Shutdown with a deadline. With graceful off, the process
// exits on the spot and in-flight requests are cut.
func (s *service) shutdown(srv *http.Server, sig os.Signal) int {
	s.ready.Store(false)
	if !s.cfg.Graceful {
		logJSON(map[string]any{"event": "shutdown", "signal": sig.String(), "graceful": false})
		os.Exit(0)
	}
	began := time.Now()
	time.Sleep(time.Duration(s.cfg.DrainMs) * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.cfg.ShutdownTimeoutMs)*time.Millisecond)
	defer cancel()
	err := srv.Shutdown(ctx)
	timedOut := errors.Is(err, context.DeadlineExceeded)
	if err != nil {
		_ = srv.Close()
	}
	fields := map[string]any{"event": "shutdown", "signal": sig.String(), "graceful": true, "drainMs": s.cfg.DrainMs,
		"elapsedMs": float64(time.Since(began).Microseconds()) / 1000, "timedOut": timedOut}
	if err != nil {
		fields["error"] = err.Error()
	}
	logJSON(fields)
	return 0
}
