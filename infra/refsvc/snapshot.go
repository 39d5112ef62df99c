package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// Snapshot is the /debug/runtime body; bench/collect/runtime-snapshot.ts is its TypeScript twin.
type Snapshot struct {
	GoVersion       string                 `json:"goVersion"`
	GCVariant       string                 `json:"gcVariant"`
	Goexperiment    string                 `json:"goexperiment"`
	Godebug         string                 `json:"godebug"`
	Stripped        bool                   `json:"stripped"`
	Gomaxprocs      int                    `json:"gomaxprocs"`
	NumCPU          int                    `json:"numCPU"`
	Gogc            uint64                 `json:"gogc"`
	GomemlimitBytes uint64                 `json:"gomemlimitBytes"`
	Metrics         map[string]json.Number `json:"metrics"`
	GCPauses        PauseSummary           `json:"gcPauses"`
	RSSBytes        uint64                 `json:"rssBytes"`
	StartTime       string                 `json:"startTime"`
	Startup         StartupTimes           `json:"startup"`
	UptimeSeconds   float64                `json:"uptimeSeconds"`
	Ready           bool                   `json:"ready"`
	PID             int                    `json:"pid"`
	Config          SnapshotConfig         `json:"config"`
}

// PauseSummary summarises /sched/pauses/total/gc:seconds. Quantiles are bucket upper bounds, so they
// carry the histogram's resolution.
type PauseSummary struct {
	Count      uint64  `json:"count"`
	P50Seconds float64 `json:"p50Seconds"`
	P99Seconds float64 `json:"p99Seconds"`
	MaxSeconds float64 `json:"maxSeconds"`
}

// StartupTimes is how fast the process became ready, measured by the process itself.
type StartupTimes struct {
	// ProcessStartToReadyMs runs from the earliest moment the service's Go code runs (package
	// starttime, initialised before the heavier dependencies) to the open listener, µs resolution.
	// Exec and the Go runtime's bootstrap before it are not included. Zero until the listener is open.
	ProcessStartToReadyMs float64 `json:"processStartToReadyMs"`
	// KernelStartToReadyMs runs from the kernel's creation of the process (fork) to the open listener:
	// under a container runtime it includes the runtime's set-up of the container before exec. An
	// upper bound at KernelStartResolutionMs resolution; 0 when the kernel's start is unreadable.
	KernelStartToReadyMs    float64 `json:"kernelStartToReadyMs"`
	KernelStartResolutionMs float64 `json:"kernelStartResolutionMs"`
	// FirstReadyMs runs from the Go start to the first 200 of /ready: it includes the wait for the
	// first probe, so it depends on the prober. Null until then.
	FirstReadyMs *float64 `json:"firstReadyMs"`
}

type SnapshotConfig struct {
	LiveHeapMiB       int  `json:"liveHeapMiB"`
	Graceful          bool `json:"graceful"`
	DrainMs           int  `json:"drainMs"`
	ShutdownTimeoutMs int  `json:"shutdownTimeoutMs"`
}

const gcPausesMetric = "/sched/pauses/total/gc:seconds"

// buildVariant is what the binary knows about how it was built.
type buildVariant struct {
	GCVariant    string
	Goexperiment string
	Stripped     bool
}

// readBuildVariant derives the GC variant and stripping from the build info embedded by the go command.
// The go command does not record -ldflags when building with -trimpath (go.dev/issue/52372), so
// stripping is then read from the executable itself: -s drops .symtab, -w drops the DWARF sections.
func readBuildVariant() buildVariant {
	var v buildVariant
	ldflagsSeen := false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "GOEXPERIMENT":
				v.Goexperiment = s.Value
			case "-ldflags":
				ldflagsSeen = true
				v.Stripped = ldflagsStrip(s.Value)
			}
		}
	}
	if !ldflagsSeen {
		if exe, err := os.Executable(); err == nil {
			v.Stripped = elfStripped(exe)
		}
	}
	v.GCVariant = gcVariantOf(v.Goexperiment, runtime.Version())
	return v
}

// elfStripped reports whether the ELF file lacks its symbol table or its DWARF data; false when the
// file cannot be read as a 64-bit little-endian ELF (every platform the images target). It reads the
// section names by hand: debug/elf would add about 200 KB to a binary whose size is itself measured.
func elfStripped(path string) bool {
	names, ok := elfSectionNames(path)
	if !ok {
		return false
	}
	return !names[".symtab"] || (!names[".debug_info"] && !names[".zdebug_info"])
}

func elfSectionNames(path string) (map[string]bool, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var hdr [64]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || string(hdr[:4]) != "\x7fELF" || hdr[4] != 2 || hdr[5] != 1 {
		return nil, false
	}
	le := binary.LittleEndian
	shoff, shentsize := le.Uint64(hdr[0x28:]), uint64(le.Uint16(hdr[0x3a:]))
	shnum, shstrndx := uint64(le.Uint16(hdr[0x3c:])), uint64(le.Uint16(hdr[0x3e:]))
	if shentsize < 64 || shnum == 0 || shstrndx >= shnum || shnum > 4096 {
		return nil, false
	}
	table := make([]byte, shentsize*shnum)
	if _, err := f.ReadAt(table, int64(shoff)); err != nil {
		return nil, false
	}
	section := func(i uint64) []byte { return table[i*shentsize : (i+1)*shentsize] }
	strs := section(shstrndx)
	strOff, strSize := le.Uint64(strs[0x18:]), le.Uint64(strs[0x20:])
	if strSize > 1<<20 {
		return nil, false
	}
	names := make([]byte, strSize)
	if _, err := f.ReadAt(names, int64(strOff)); err != nil {
		return nil, false
	}
	out := make(map[string]bool, shnum)
	for i := range shnum {
		off := uint64(le.Uint32(section(i)))
		if off >= strSize {
			continue
		}
		end := off
		for end < strSize && names[end] != 0 {
			end++
		}
		out[string(names[off:end])] = true
	}
	return out, true
}

// gcVariantOf: "nogreenteagc" when the experiment list (or the X: suffix of runtime.Version) opts out
// of the Green Tea collector, else "default".
func gcVariantOf(goexperiment, version string) string {
	for _, e := range strings.Split(goexperiment, ",") {
		if strings.TrimSpace(e) == "nogreenteagc" {
			return "nogreenteagc"
		}
	}
	if _, exps, ok := strings.Cut(version, "X:"); ok {
		for _, e := range strings.Split(exps, ",") {
			if strings.TrimSpace(e) == "nogreenteagc" {
				return "nogreenteagc"
			}
		}
	}
	return "default"
}

// ldflagsStrip reports whether the linker flags drop the symbol table (-s) or DWARF (-w).
func ldflagsStrip(ldflags string) bool {
	for _, f := range strings.Fields(ldflags) {
		f = strings.TrimPrefix(strings.Trim(f, `"'`), "-")
		f = strings.TrimPrefix(f, "-")
		if f == "s" || f == "w" || f == "s=true" || f == "w=true" {
			return true
		}
	}
	return false
}

// runtimeMetrics is one read of every runtime/metrics sample that the snapshot needs.
type runtimeMetrics struct {
	scalars map[string]json.Number // exact decimal text: uint64 values beyond 2^53 are not rounded here
	uints   map[string]uint64
	pauses  *metrics.Float64Histogram
}

// scalarMetrics reads every KindUint64/KindFloat64 metric of this runtime, plus the GC pause histogram.
func scalarMetrics() runtimeMetrics {
	descs := metrics.All()
	samples := make([]metrics.Sample, len(descs))
	for i, d := range descs {
		samples[i].Name = d.Name
	}
	metrics.Read(samples)
	rm := runtimeMetrics{scalars: make(map[string]json.Number, len(samples)), uints: map[string]uint64{}}
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			rm.uints[s.Name] = s.Value.Uint64()
			rm.scalars[s.Name] = json.Number(strconv.FormatUint(s.Value.Uint64(), 10))
		case metrics.KindFloat64:
			// JSON has no NaN or Inf; such a sample is left out rather than faked.
			if f := s.Value.Float64(); !math.IsNaN(f) && !math.IsInf(f, 0) {
				rm.scalars[s.Name] = json.Number(strconv.FormatFloat(f, 'g', -1, 64))
			}
		case metrics.KindFloat64Histogram:
			if s.Name == gcPausesMetric {
				rm.pauses = s.Value.Float64Histogram()
			}
		}
	}
	return rm
}

// summarisePauses turns a runtime histogram into count and p50/p99/max (bucket upper bounds; an
// unbounded last bucket reports its lower bound).
func summarisePauses(h *metrics.Float64Histogram) PauseSummary {
	var p PauseSummary
	if h == nil {
		return p
	}
	for _, c := range h.Counts {
		p.Count += c
	}
	if p.Count == 0 {
		return p
	}
	bound := func(i int) float64 {
		if hi := h.Buckets[i+1]; !math.IsInf(hi, 0) {
			return hi
		}
		return math.Max(h.Buckets[i], 0)
	}
	quantile := func(q float64) float64 {
		rank := uint64(math.Ceil(q * float64(p.Count)))
		var seen uint64
		for i, c := range h.Counts {
			seen += c
			if c > 0 && seen >= rank {
				return bound(i)
			}
		}
		return 0
	}
	p.P50Seconds = quantile(0.50)
	p.P99Seconds = quantile(0.99)
	for i := len(h.Counts) - 1; i >= 0; i-- {
		if h.Counts[i] > 0 {
			p.MaxSeconds = bound(i)
			break
		}
	}
	return p
}

// readRSS returns VmRSS from /proc/self/status in bytes, 0 when it cannot be read.
func readRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				kb, err := strconv.ParseUint(fields[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

func takeSnapshot(s *service) Snapshot {
	m := scalarMetrics()
	return Snapshot{
		GoVersion:       runtime.Version(),
		GCVariant:       s.variant.GCVariant,
		Goexperiment:    s.variant.Goexperiment,
		Godebug:         os.Getenv("GODEBUG"),
		Stripped:        s.variant.Stripped,
		Gomaxprocs:      runtime.GOMAXPROCS(0),
		NumCPU:          runtime.NumCPU(),
		Gogc:            m.uints["/gc/gogc:percent"],
		GomemlimitBytes: m.uints["/gc/gomemlimit:bytes"],
		Metrics:         m.scalars,
		GCPauses:        summarisePauses(m.pauses),
		RSSBytes:        readRSS(),
		StartTime:       s.start.UTC().Format(time.RFC3339Nano),
		Startup:         s.startupTimes(),
		UptimeSeconds:   time.Since(s.start).Seconds(),
		Ready:           s.ready.Load(),
		PID:             os.Getpid(),
		Config: SnapshotConfig{LiveHeapMiB: s.cfg.LiveHeapMiB, Graceful: s.cfg.Graceful,
			DrainMs: s.cfg.DrainMs, ShutdownTimeoutMs: s.cfg.ShutdownTimeoutMs},
	}
}

func (s *service) startupTimes() StartupTimes {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var t StartupTimes
	if s.startup.source == "kernel" {
		t.KernelStartResolutionMs = ms(clockTick)
	}
	if !s.readyAt.IsZero() {
		t.ProcessStartToReadyMs = ms(s.readyAt.Sub(s.start))
		if s.startup.source == "kernel" {
			t.KernelStartToReadyMs = ms(s.startup.processStartToReady(s.start, s.readyAt))
		}
	}
	if first := s.firstReadyNs.Load(); first > 0 {
		v := ms(time.Duration(first))
		t.FirstReadyMs = &v
	}
	return t
}
