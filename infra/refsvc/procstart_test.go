package main

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"benchrefsvc/internal/starttime"
)

func TestParseStartTicks(t *testing.T) {
	t.Parallel()
	// 52 fields as Linux writes them; starttime (field 22) is 4242.
	tail := " S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 4242 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
	tests := []struct {
		name    string
		stat    string
		want    uint64
		wantErr bool
	}{
		{name: "plain name", stat: "123 (refsvc)" + tail, want: 4242},
		{name: "name with spaces and parentheses", stat: "123 (a) b (c)" + tail, want: 4242},
		{name: "no name", stat: "123 refsvc S 1", wantErr: true},
		{name: "too short", stat: "123 (refsvc) S 1 1", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStartTicks([]byte(tc.stat))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseStartTicks = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestReadStartupFallsBackToInitWhenTheBootClockFails(t *testing.T) {
	t.Parallel()
	got := readStartup(func() (time.Duration, error) { return 0, errors.New("no clock") })
	if got != (startup{source: "init"}) {
		t.Fatalf("readStartup = %+v, want the init fallback", got)
	}
	// A boot clock before the process's start tick is impossible: the init fallback, not a negative age.
	got = readStartup(func() (time.Duration, error) { return time.Millisecond, nil })
	if got.source != "init" || got.kernelAge != 0 {
		t.Fatalf("readStartup with a clock before the start tick = %+v", got)
	}
}

func TestStartupIsMeasuredFromTheGoStartAndTheKernelStart(t *testing.T) {
	t.Parallel()
	p := startRefsvc(t, buildRefsvc(t, "", false))
	if v, ok := p.start["processStartToReadyMs"].(float64); !ok || v <= 0 {
		t.Fatalf("start line processStartToReadyMs = %v", p.start["processStartToReadyMs"])
	}
	client := &http.Client{Timeout: 5 * time.Second}
	if status, _, err := get(client, p.baseURL+"/ready"); err != nil || status != 200 {
		t.Fatalf("/ready = %d, %v", status, err)
	}
	_, snap := getSnapshot(t, p.baseURL)
	st := snap.Startup
	if st.KernelStartResolutionMs != 10 {
		t.Fatalf("kernel start resolution %v, want 10 ms", st.KernelStartResolutionMs)
	}
	// The kernel created the process before its Go code ran, so the kernel figure is at least the Go
	// one; outside a container only fork, exec, the runtime's bootstrap and one tick separate them.
	if st.ProcessStartToReadyMs <= 0 || st.KernelStartToReadyMs < st.ProcessStartToReadyMs || st.KernelStartToReadyMs > st.ProcessStartToReadyMs+5000 {
		t.Fatalf("processStartToReadyMs %v vs kernelStartToReadyMs %v", st.ProcessStartToReadyMs, st.KernelStartToReadyMs)
	}
	if st.FirstReadyMs == nil || *st.FirstReadyMs < st.ProcessStartToReadyMs {
		t.Fatalf("firstReadyMs = %v, want ≥ processStartToReadyMs %v", st.FirstReadyMs, st.ProcessStartToReadyMs)
	}
}

func TestProcessStartIsTheStarttimePackage(t *testing.T) {
	t.Parallel()
	if !processStart.Equal(starttime.At) || time.Since(starttime.At) <= 0 {
		t.Fatalf("processStart %v, starttime.At %v", processStart, starttime.At)
	}
}
