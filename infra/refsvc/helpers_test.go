package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the binaries built for this test run; removed when the tests end.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "refsvc-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// buildRefsvc builds the real binary the way build.sh does (static, -trimpath) for one GC variant,
// once per test run.
func buildRefsvc(t *testing.T, experiment string, stripped bool) string {
	t.Helper()
	key := fmt.Sprintf("%s-%v", experiment, stripped)
	buildMu.Lock()
	defer buildMu.Unlock()
	if path, ok := built[key]; ok {
		return path
	}
	path := filepath.Join(binDir, "refsvc-"+key)
	ldflags := ""
	if stripped {
		ldflags = "-s -w"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags="+ldflags, "-o", path, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOEXPERIMENT="+experiment, "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build (GOEXPERIMENT=%q): %v\n%s", experiment, err, out)
	}
	built[key] = path
	return path
}

// proc is a refsvc child process on a free loopback port.
type proc struct {
	cmd     *exec.Cmd
	baseURL string
	start   map[string]any
	lines   chan string // stdout lines after the start line
	done    chan error  // the result of Wait
}

// startRefsvc starts bin on 127.0.0.1:0 and waits for its start log line, which names the real port.
func startRefsvc(t *testing.T, bin string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 16), done: make(chan error, 1)}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	})
	select {
	case line, ok := <-first:
		if !ok {
			t.Fatalf("refsvc exited before its start line; stderr:\n%s", stderr.String())
		}
		if err := json.Unmarshal([]byte(line), &p.start); err != nil || p.start["event"] != "start" {
			t.Fatalf("start line %q: %v", line, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("refsvc did not log its start line within 20 s")
	}
	p.baseURL = "http://" + p.start["addr"].(string)
	return p
}

// wait returns the process's exit code, failing the test after timeout.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // keep it for Cleanup
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("wait: %v", err)
	case <-time.After(timeout):
		t.Fatalf("refsvc still running after %v", timeout)
	}
	return -1
}

var shortClient = &http.Client{Timeout: 2 * time.Second}

// get returns status and body, or an error when the request failed.
func get(client *http.Client, url string) (int, string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
