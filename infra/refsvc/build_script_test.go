package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// builtLine is one --json line of build.sh, the contract bench/targets/images.ts parses.
type builtLine struct {
	Toolchain   string          `json:"toolchain"`
	GC          string          `json:"gc"`
	Stripped    *bool           `json:"stripped"`
	Path        string          `json:"path"`
	BinaryBytes int64           `json:"binaryBytes"`
	SHA256      string          `json:"sha256"`
	GoVersion   string          `json:"goVersion"`
	Image       json.RawMessage `json:"image"`
}

func TestBuildScriptJSON(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("bash", "build.sh", "--gc", "nogreenteagc", "--no-strip", "--json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("build.sh: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout has %d lines, want 1 JSON line:\n%s", len(lines), out)
	}
	var b builtLine
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("line %q: %v", lines[0], err)
	}
	if b.Toolchain != "local" || b.GC != "nogreenteagc" || b.Stripped == nil || *b.Stripped || string(b.Image) != "null" {
		t.Fatalf("line %+v", b)
	}
	if !strings.HasSuffix(b.Path, "/dist/local-nogreenteagc-unstripped/refsvc") || !strings.HasPrefix(b.Path, "/") {
		t.Fatalf("path %q, want an absolute path under dist/", b.Path)
	}
	data, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if int64(len(data)) != b.BinaryBytes || hex.EncodeToString(sum[:]) != b.SHA256 {
		t.Fatalf("binaryBytes/sha256 do not match the file (%d bytes)", len(data))
	}
	if !strings.Contains(b.GoVersion, "X:nogreenteagc") {
		t.Fatalf("goVersion %q does not name the experiment", b.GoVersion)
	}
	if !strings.Contains(stderr.String(), "local-nogreenteagc-unstripped") {
		t.Fatalf("no size table on stderr:\n%s", stderr.String())
	}
	p := startRefsvc(t, b.Path)
	if _, snap := getSnapshot(t, p.baseURL); snap.GCVariant != "nogreenteagc" || snap.Stripped {
		t.Fatalf("built binary reports gcVariant %q stripped %v", snap.GCVariant, snap.Stripped)
	}
}

func TestBuildScriptUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--gc", "fast"}, "--gc must be default or nogreenteagc (got 'fast')"},
		{[]string{"--toolchain", "1.27"}, "--toolchain must be 'local' or a Go version"},
		{[]string{"--frobnicate"}, "unknown argument '--frobnicate'"},
		{[]string{"--gc"}, "--gc needs a value"},
	}
	for _, tt := range tests {
		out, err := exec.Command("bash", append([]string{"build.sh"}, tt.args...)...).CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
			t.Errorf("build.sh %v: %v %q; want exit 2 and %q", tt.args, err, out, tt.want)
		}
	}
	// Without go on PATH the script says so and exits 3.
	cmd := exec.Command("/bin/bash", "build.sh")
	cmd.Env = []string{"PATH=/nonexistent"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(string(out), "go not found on PATH") {
		t.Errorf("build.sh without go: %v %q", err, out)
	}
}
