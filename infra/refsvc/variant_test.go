package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBinariesReportTheirOwnBuild builds the default and the nogreenteagc binary, stripped and not,
// and checks that each one reports its own variant at /debug/runtime.
func TestBinariesReportTheirOwnBuild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		experiment string
		stripped   bool
		wantGC     string
	}{
		{"", false, "default"},
		{"", true, "default"},
		{"nogreenteagc", false, "nogreenteagc"},
		{"nogreenteagc", true, "nogreenteagc"},
	}
	for _, tt := range tests {
		p := startRefsvc(t, buildRefsvc(t, tt.experiment, tt.stripped))
		_, snap := getSnapshot(t, p.baseURL)
		if snap.GCVariant != tt.wantGC || snap.Goexperiment != tt.experiment || snap.Stripped != tt.stripped {
			t.Errorf("GOEXPERIMENT=%q stripped=%v: reports gcVariant %q goexperiment %q stripped %v",
				tt.experiment, tt.stripped, snap.GCVariant, snap.Goexperiment, snap.Stripped)
		}
		if p.start["gcVariant"] != tt.wantGC {
			t.Errorf("start line gcVariant = %v, want %s", p.start["gcVariant"], tt.wantGC)
		}
	}
}

// TestBuildIsContainerAware: container-aware GOMAXPROCS is on only for main modules declaring go 1.25
// or later; for older go lines the go command bakes containermaxprocs=0 into the binary's
// DefaultGODEBUG. This catches a go.mod downgrade that the Docker test cannot see on a 2-CPU host.
func TestBuildIsContainerAware(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "version", "-m", buildRefsvc(t, "", false)).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "DefaultGODEBUG=") {
			if strings.Contains(f[1], "containermaxprocs=0") || strings.Contains(f[1], "updatemaxprocs=0") {
				t.Fatalf("the binary turns container-aware GOMAXPROCS off by default: %s (go.mod must say go 1.25 or later)", f[1])
			}
		}
	}
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var major, minor int
	for _, line := range strings.Split(string(mod), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			_, _ = fmt.Sscanf(v, "1.%d", &minor)
			major = 1
		}
	}
	if major != 1 || minor < 25 {
		t.Fatalf("go.mod declares go 1.%d, want 1.25 or later", minor)
	}
}
