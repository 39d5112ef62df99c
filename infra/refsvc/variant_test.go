package main

import (
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
