package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseWorkParams(t *testing.T) {
	tests := []struct {
		query   string
		want    workParams
		wantErr string
	}{
		{query: "", want: workParams{}},
		{query: "cpu=10", want: workParams{CPU: 10}},
		{query: "cpu=0", want: workParams{}},
		{query: "cpu=1000000", want: workParams{CPU: 1_000_000}},
		{query: "alloc=500", want: workParams{Alloc: 500}},
		{query: "garbage_kb=64", want: workParams{GarbageKB: 64}},
		{query: "sleep_ms=2.5", want: workParams{SleepMs: 2.5}},
		{query: "cpu=3&alloc=4&garbage_kb=5&sleep_ms=6", want: workParams{CPU: 3, Alloc: 4, GarbageKB: 5, SleepMs: 6}},
		{query: "cpu=-1", wantErr: `cpu: must be a whole number from 0 to 1000000 (got "-1")`},
		{query: "cpu=abc", wantErr: `cpu: must be a whole number`},
		{query: "cpu=1.5", wantErr: `cpu: must be a whole number`},
		{query: "cpu=1000001", wantErr: `cpu: must be a whole number`},
		{query: "alloc=-3", wantErr: `alloc: must be a whole number from 0 to 1000000`},
		{query: "alloc=2000000", wantErr: `alloc:`},
		{query: "garbage_kb=x", wantErr: `garbage_kb: must be a whole number from 0 to 1048576`},
		{query: "garbage_kb=1048577", wantErr: `garbage_kb:`},
		{query: "sleep_ms=-0.1", wantErr: `sleep_ms: must be a number of milliseconds from 0 to 60000`},
		{query: "sleep_ms=NaN", wantErr: `sleep_ms:`},
		{query: "sleep_ms=Inf", wantErr: `sleep_ms:`},
		{query: "sleep_ms=60001", wantErr: `sleep_ms:`},
		{query: "sleep_ms=", wantErr: `sleep_ms:`},
		{query: "cpus=1", wantErr: `cpus: must be one of the known parameters`},
		{query: "cpu=1&cpu=2", wantErr: `cpu: must be given once`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseWorkParams(q)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestWorkHandler(t *testing.T) {
	srv := httptest.NewServer(newService(defaultConfig()).handler())
	defer srv.Close()
	tests := []struct {
		query      string
		wantStatus int
		wantBody   string // substring
		minMs      float64
	}{
		{query: "", wantStatus: 200, wantBody: `"ok":true`},
		{query: "cpu=200", wantStatus: 200, wantBody: `"cpu":200`},
		{query: "alloc=300", wantStatus: 200, wantBody: `"alloc":300`},
		{query: "garbage_kb=128", wantStatus: 200, wantBody: `"garbageKb":128`},
		{query: "sleep_ms=30", wantStatus: 200, wantBody: `"sleepMs":30`, minMs: 30},
		{query: "cpu=10&alloc=10&garbage_kb=10&sleep_ms=1.5", wantStatus: 200, wantBody: `"sleepMs":1.5`, minMs: 1.5},
		{query: "cpu=-1", wantStatus: 400, wantBody: "cpu: must be"},
		{query: "alloc=x", wantStatus: 400, wantBody: "alloc: must be"},
		{query: "garbage_kb=-2", wantStatus: 400, wantBody: "garbage_kb: must be"},
		{query: "sleep_ms=999999", wantStatus: 400, wantBody: "sleep_ms: must be"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			start := time.Now()
			resp, err := http.Get(srv.URL + "/work?" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			elapsedMs := float64(time.Since(start).Microseconds()) / 1000
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("status %d body %q; want %d and %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if elapsedMs < tt.minMs {
				t.Fatalf("answered in %.2f ms, before the %.2f ms sleep", elapsedMs, tt.minMs)
			}
			if resp.StatusCode == 200 {
				var res workResult
				if err := json.Unmarshal(body, &res); err != nil || !res.OK || len(res.Checksum) != 16 {
					t.Fatalf("body %q: %v", body, err)
				}
			}
		})
	}
	resp, err := http.Post(srv.URL+"/work", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /work: status %d, want 405", resp.StatusCode)
	}
}

func TestCPUWorkIsDeterministicAndChained(t *testing.T) {
	if cpuWork(100) != cpuWork(100) {
		t.Fatal("cpu work is not deterministic")
	}
	if cpuWork(100) == cpuWork(101) {
		t.Fatal("one more round did not change the digest: rounds are not chained")
	}
}

func TestAllocWorkRoundTripsTheGraph(t *testing.T) {
	for _, n := range []int{1, 2, 5, 1000} {
		got, ids := countGraph(buildGraph(n))
		if got != n || ids == 0 && n > 1 {
			t.Fatalf("buildGraph(%d) has %d nodes", n, got)
		}
		if _, err := allocWork(n); err != nil {
			t.Fatalf("allocWork(%d): %v", n, err)
		}
	}
}

// allocatedBy measures the bytes the heap allocated while f ran.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestWorkAllocatesOnTheHeap(t *testing.T) {
	if got := allocatedBy(func() { garbageWork(512) }); got < 512*1024 {
		t.Fatalf("garbage_kb=512 allocated %d bytes, want at least %d", got, 512*1024)
	}
	// Each node costs at least its struct, its meta and its map: far more than 100 bytes.
	if got := allocatedBy(func() { _, _ = allocWork(10_000) }); got < 10_000*100 {
		t.Fatalf("alloc=10000 allocated only %d bytes", got)
	}
}

func TestSleepStopsWhenTheClientLeaves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := doWork(ctx, workParams{SleepMs: 5000}); err == nil {
		t.Fatal("sleep ignored the cancelled request")
	}
	if time.Since(start) > time.Second {
		t.Fatal("sleep did not stop when the request was cancelled")
	}
}
