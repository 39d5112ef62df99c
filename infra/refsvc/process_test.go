package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowResult is the outcome of a request sent while the service shuts down.
type slowResult struct {
	status int
	body   string
	err    error
	ended  time.Time
}

func sendSlow(url string) <-chan slowResult {
	out := make(chan slowResult, 1)
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		status, body, err := get(client, url)
		out <- slowResult{status, body, err, time.Now()}
	}()
	return out
}

// waitInFlight gives the slow request time to reach the handler before the signal is sent.
const inFlightDelay = 200 * time.Millisecond

func TestGracefulShutdownCompletesInFlightRequest(t *testing.T) {
	t.Parallel()
	p := startRefsvc(t, buildRefsvc(t, "", false), "GRACEFUL=true", "DRAIN_MS=600", "SHUTDOWN_TIMEOUT_MS=10000")
	slow := sendSlow(p.baseURL + "/work?sleep_ms=1500")
	time.Sleep(inFlightDelay)
	signalled := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// During the drain the server still answers, but /ready says it is going away.
	client := &http.Client{Timeout: 2 * time.Second}
	var readyStatus int
	var readyBody string
	for time.Since(signalled) < 500*time.Millisecond {
		status, body, err := get(client, p.baseURL+"/ready")
		if err == nil {
			readyStatus, readyBody = status, body
			if status == http.StatusServiceUnavailable {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if readyStatus != http.StatusServiceUnavailable || readyBody != "shutting down" {
		t.Fatalf("/ready during the drain = %d %q, want 503 \"shutting down\"", readyStatus, readyBody)
	}
	if status, _, err := get(client, p.baseURL+"/work?cpu=1"); err != nil || status != 200 {
		t.Fatalf("/work during the drain: %d %v, want 200 (the drain keeps serving)", status, err)
	}

	r := <-slow
	if r.err != nil || r.status != 200 || !strings.Contains(r.body, `"ok":true`) {
		t.Fatalf("in-flight request: %d %q %v, want 200", r.status, r.body, r.err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	line := <-p.lines
	var ev map[string]any
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev["event"] != "shutdown" || ev["graceful"] != true || ev["timedOut"] != false {
		t.Fatalf("shutdown line %q", line)
	}
	if _, _, err := get(client, p.baseURL+"/health"); err == nil {
		t.Fatal("the service still answers after exiting")
	}
}

func TestShutdownTimeoutCutsSlowRequest(t *testing.T) {
	t.Parallel()
	p := startRefsvc(t, buildRefsvc(t, "", false), "GRACEFUL=true", "DRAIN_MS=0", "SHUTDOWN_TIMEOUT_MS=300")
	slow := sendSlow(p.baseURL + "/work?sleep_ms=5000")
	time.Sleep(inFlightDelay)
	signalled := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	r := <-slow
	if r.err == nil {
		t.Fatalf("request outliving the shutdown timeout answered %d %q, want a cut connection", r.status, r.body)
	}
	if took := r.ended.Sub(signalled); took < 250*time.Millisecond || took > 3*time.Second {
		t.Fatalf("request cut %v after SIGTERM, want about the 300 ms timeout", took)
	}
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	line := <-p.lines
	if !strings.Contains(line, `"timedOut":true`) {
		t.Fatalf("shutdown line %q does not report the timeout", line)
	}
}

func TestNonGracefulShutdownCutsInFlightRequest(t *testing.T) {
	t.Parallel()
	p := startRefsvc(t, buildRefsvc(t, "", false), "GRACEFUL=false", "DRAIN_MS=5000")
	slow := sendSlow(p.baseURL + "/work?sleep_ms=3000")
	time.Sleep(inFlightDelay)
	signalled := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 2*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	r := <-slow
	if r.err == nil {
		t.Fatalf("in-flight request answered %d %q, want a cut connection", r.status, r.body)
	}
	if took := r.ended.Sub(signalled); took > time.Second {
		t.Fatalf("request failed only %v after SIGTERM: the exit was not immediate (drain ignored?)", took)
	}
}

func TestSIGINTIsHandledLikeSIGTERM(t *testing.T) {
	t.Parallel()
	p := startRefsvc(t, buildRefsvc(t, "", false))
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGINT", code)
	}
	if line := <-p.lines; !strings.Contains(line, `"signal":"interrupt"`) {
		t.Fatalf("shutdown line %q", line)
	}
}

func TestLiveHeapIsBuiltAndKept(t *testing.T) {
	t.Parallel()
	const mib = 48
	p := startRefsvc(t, buildRefsvc(t, "", false), "LIVE_HEAP_MB=48")
	// Force more cycles so the live heap figure is measured after collections that could free it.
	for range 5 {
		if status, _, err := get(http.DefaultClient, p.baseURL+"/work?garbage_kb=65536"); err != nil || status != 200 {
			t.Fatalf("garbage request: %d %v", status, err)
		}
	}
	_, snap := getSnapshot(t, p.baseURL)
	live, _ := snap.Metrics["/gc/heap/live:bytes"].Int64()
	if live < mib<<20 || live > 2*mib<<20 {
		t.Fatalf("/gc/heap/live:bytes = %d with LIVE_HEAP_MB=%d, want %d..%d", live, mib, mib<<20, 2*mib<<20)
	}
	if snap.Config.LiveHeapMiB != mib || snap.RSSBytes < uint64(mib)<<20 {
		t.Fatalf("config %+v rss %d", snap.Config, snap.RSSBytes)
	}
}

func TestBadConfigurationExitsWithCode2NamingTheVariable(t *testing.T) {
	t.Parallel()
	bin := buildRefsvc(t, "", false)
	tests := []struct {
		env  []string
		args []string
		want string
	}{
		{env: []string{"LIVE_HEAP_MB=big"}, want: "LIVE_HEAP_MB: must be a whole number"},
		{env: []string{"GRACEFUL=perhaps"}, want: "GRACEFUL: must be true or false"},
		{env: []string{"DRAIN_MS=-1"}, want: "DRAIN_MS"},
		{env: []string{"SHUTDOWN_TIMEOUT_MS=1e3"}, want: "SHUTDOWN_TIMEOUT_MS"},
		{args: []string{"-live-heap-mb=-4"}, want: "-live-heap-mb"},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		cmd.Env = append([]string{"ADDR=127.0.0.1:0"}, tt.env...)
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
			t.Errorf("%v %v: err %v, output %q; want exit 2 naming %q", tt.env, tt.args, err, out, tt.want)
		}
	}
}
