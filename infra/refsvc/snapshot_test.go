package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"testing"
)

// snapshotFields is the exact field set of bench/collect/runtime-snapshot.ts.
var snapshotFields = []string{"config", "gcPauses", "gcVariant", "goVersion", "godebug", "goexperiment", "gogc",
	"gomaxprocs", "gomemlimitBytes", "metrics", "numCPU", "pid", "ready", "rssBytes", "startTime", "startup", "stripped", "uptimeSeconds"}

// claimMetrics are the runtime/metrics names CLAIMS.md relies on (the histogram is summarised in gcPauses).
var claimMetrics = []string{"/cpu/classes/gc/total:cpu-seconds", "/cpu/classes/gc/mark/idle:cpu-seconds",
	"/cpu/classes/total:cpu-seconds", "/cpu/classes/user:cpu-seconds", "/cpu/classes/idle:cpu-seconds",
	"/gc/heap/live:bytes", "/gc/heap/goal:bytes", "/memory/classes/total:bytes", "/gc/gogc:percent",
	"/gc/gomemlimit:bytes", "/sched/gomaxprocs:threads", "/gc/cycles/total:gc-cycles", "/gc/limiter/last-enabled:gc-cycle"}

func getSnapshot(t *testing.T, url string) (map[string]json.RawMessage, Snapshot) {
	t.Helper()
	resp, err := http.Get(url + "/debug/runtime")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("/debug/runtime: status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var snap Snapshot
	all, _ := json.Marshal(raw)
	if err := json.Unmarshal(all, &snap); err != nil {
		t.Fatal(err)
	}
	return raw, snap
}

func TestDebugRuntimeFields(t *testing.T) {
	cfg := Config{Addr: ":0", LiveHeapMiB: 3, Graceful: false, DrainMs: 7, ShutdownTimeoutMs: 11}
	srv := httptest.NewServer(newService(cfg).handler())
	defer srv.Close()
	runtime.GC() // at least one pause in the histogram
	raw, snap := getSnapshot(t, srv.URL)

	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != strings.Join(snapshotFields, ",") {
		t.Fatalf("fields\n got %v\nwant %v", keys, snapshotFields)
	}
	if snap.GoVersion != runtime.Version() || snap.Gomaxprocs != runtime.GOMAXPROCS(0) || snap.NumCPU != runtime.NumCPU() || snap.PID != os.Getpid() {
		t.Errorf("identity fields wrong: %+v", snap)
	}
	if snap.GCVariant != "default" && snap.GCVariant != "nogreenteagc" {
		t.Errorf("gcVariant = %q", snap.GCVariant)
	}
	if snap.Godebug != os.Getenv("GODEBUG") {
		t.Errorf("godebug = %q, env has %q", snap.Godebug, os.Getenv("GODEBUG"))
	}
	if !snap.Ready || snap.Config != (SnapshotConfig{LiveHeapMiB: 3, Graceful: false, DrainMs: 7, ShutdownTimeoutMs: 11}) {
		t.Errorf("ready/config = %v %+v", snap.Ready, snap.Config)
	}
	if snap.RSSBytes < 1<<20 {
		t.Errorf("rssBytes = %d, implausible for a Go process", snap.RSSBytes)
	}
	if snap.UptimeSeconds <= 0 || snap.StartTime == "" {
		t.Errorf("uptime %v start %q", snap.UptimeSeconds, snap.StartTime)
	}
	if snap.GCPauses.Count == 0 || snap.GCPauses.MaxSeconds <= 0 || snap.GCPauses.P50Seconds > snap.GCPauses.P99Seconds || snap.GCPauses.P99Seconds > snap.GCPauses.MaxSeconds {
		t.Errorf("gcPauses = %+v after a forced GC", snap.GCPauses)
	}
	for _, name := range claimMetrics {
		if _, ok := snap.Metrics[name]; !ok {
			t.Errorf("metrics lacks %s", name)
		}
	}
	if got := snap.Metrics["/sched/gomaxprocs:threads"]; got.String() != jsonInt(runtime.GOMAXPROCS(0)) {
		t.Errorf("/sched/gomaxprocs:threads = %s", got)
	}
	// Every scalar metric of this runtime is there, histograms are not.
	for _, d := range metrics.All() {
		_, ok := snap.Metrics[d.Name]
		scalar := d.Kind == metrics.KindUint64 || d.Kind == metrics.KindFloat64
		if ok != scalar {
			t.Errorf("metric %s (kind %v): present = %v", d.Name, d.Kind, ok)
		}
	}
	if snap.Gogc != 100 && os.Getenv("GOGC") == "" {
		t.Errorf("gogc = %d without GOGC", snap.Gogc)
	}
	if os.Getenv("GOMEMLIMIT") == "" && snap.GomemlimitBytes != math.MaxInt64 {
		t.Errorf("gomemlimitBytes = %d without GOMEMLIMIT", snap.GomemlimitBytes)
	}
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestGCVariantOf(t *testing.T) {
	tests := []struct{ exp, version, want string }{
		{"", "go1.26.8", "default"},
		{"nogreenteagc", "go1.26.8 X:nogreenteagc", "nogreenteagc"},
		{"jsonv2,nogreenteagc", "go1.26.8 X:jsonv2,nogreenteagc", "nogreenteagc"},
		{"", "go1.26.8 X:nogreenteagc", "nogreenteagc"},
		{"greenteagc", "go1.25.1 X:greenteagc", "default"},
		{"jsonv2", "go1.26.8 X:jsonv2", "default"},
	}
	for _, tt := range tests {
		if got := gcVariantOf(tt.exp, tt.version); got != tt.want {
			t.Errorf("gcVariantOf(%q, %q) = %q, want %q", tt.exp, tt.version, got, tt.want)
		}
	}
}

func TestLdflagsStrip(t *testing.T) {
	tests := []struct {
		ldflags string
		want    bool
	}{
		{"", false}, {"-s -w", true}, {"-w", true}, {"-s", true}, {`"-s -w"`, true},
		{"-X main.v=1", false}, {"-X main.s=w", false}, {"--s", true},
	}
	for _, tt := range tests {
		if got := ldflagsStrip(tt.ldflags); got != tt.want {
			t.Errorf("ldflagsStrip(%q) = %v, want %v", tt.ldflags, got, tt.want)
		}
	}
}

func TestSummarisePauses(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		h    *metrics.Float64Histogram
		want PauseSummary
	}{
		{"nil", nil, PauseSummary{}},
		{"empty", &metrics.Float64Histogram{Counts: []uint64{0, 0}, Buckets: []float64{0, 1, 2}}, PauseSummary{}},
		// 100 pauses: 60 in (0,1], 39 in (1,2], 1 in (2,4]: p50 → 1, p99 → 2, max → 4.
		{"three buckets", &metrics.Float64Histogram{Counts: []uint64{60, 39, 1}, Buckets: []float64{0, 1, 2, 4}},
			PauseSummary{Count: 100, P50Seconds: 1, P99Seconds: 2, MaxSeconds: 4}},
		// 2 pauses: one in (1e-6,1e-5], one in the unbounded last bucket: its lower bound stands in.
		{"unbounded last bucket", &metrics.Float64Histogram{Counts: []uint64{0, 1, 1}, Buckets: []float64{math.Inf(-1), 1e-6, 1e-5, inf}},
			PauseSummary{Count: 2, P50Seconds: 1e-5, P99Seconds: 1e-5, MaxSeconds: 1e-5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summarisePauses(tt.h); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadyAndHealth(t *testing.T) {
	s := newService(defaultConfig())
	srv := httptest.NewServer(s.handler())
	defer srv.Close()
	check := func(path string, wantCode int, wantBody string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != wantCode || string(b[:n]) != wantBody {
			t.Fatalf("GET %s = %d %q, want %d %q", path, resp.StatusCode, b[:n], wantCode, wantBody)
		}
	}
	check("/health", 200, "ok")
	check("/ready", 200, "ready")
	s.ready.Store(false)
	check("/ready", 503, "shutting down")
	check("/health", 200, "ok")
}

func TestElfSectionNames(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	names, ok := elfSectionNames(exe)
	if !ok || !names[".text"] {
		t.Fatalf("sections of the test binary: ok=%v, has .text=%v", ok, names[".text"])
	}
	if _, ok := elfSectionNames("go.mod"); ok {
		t.Fatal("go.mod read as ELF")
	}
	if elfStripped("go.mod") {
		t.Fatal("a file that is not ELF counts as stripped")
	}
}
