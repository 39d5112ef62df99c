package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Caps of the /work parameters: beyond them a request is a mistake, and one request must not be able
// to take the service down.
const (
	maxCPURounds   = 1_000_000
	maxAllocNodes  = 1_000_000
	maxGarbageKiB  = 1 << 20
	maxSleepMs     = 60_000.0
	cpuBufferBytes = 1024
	garbagePiece   = 1024
)

// workParams is one /work request's cost. Zero values do nothing.
type workParams struct {
	CPU       int
	Alloc     int
	GarbageKB int
	SleepMs   float64
}

type paramError struct{ name, value, want string }

func (e *paramError) Error() string {
	return fmt.Sprintf("%s: must be %s (got %q)", e.name, e.want, e.value)
}

var workParamNames = []string{"cpu", "alloc", "garbage_kb", "sleep_ms"}

func parseWorkParams(q url.Values) (workParams, error) {
	var p workParams
	for name := range q {
		known := false
		for _, k := range workParamNames {
			known = known || k == name
		}
		if !known {
			return p, &paramError{name: name, value: q.Get(name), want: "one of the known parameters " + strings.Join(workParamNames, ", ")}
		}
		if len(q[name]) > 1 {
			return p, &paramError{name: name, value: strings.Join(q[name], ","), want: "given once"}
		}
	}
	ints := []struct {
		name string
		max  int
		dst  *int
	}{{"cpu", maxCPURounds, &p.CPU}, {"alloc", maxAllocNodes, &p.Alloc}, {"garbage_kb", maxGarbageKiB, &p.GarbageKB}}
	for _, f := range ints {
		raw, ok := q[f.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(raw[0])
		if err != nil || n < 0 || n > f.max {
			return p, &paramError{name: f.name, value: raw[0], want: fmt.Sprintf("a whole number from 0 to %d", f.max)}
		}
		*f.dst = n
	}
	if raw, ok := q["sleep_ms"]; ok {
		f, err := strconv.ParseFloat(raw[0], 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > maxSleepMs {
			return p, &paramError{name: "sleep_ms", value: raw[0], want: fmt.Sprintf("a number of milliseconds from 0 to %g", maxSleepMs)}
		}
		p.SleepMs = f
	}
	return p, nil
}

// workResult is the /work response body.
type workResult struct {
	OK        bool    `json:"ok"`
	CPU       int     `json:"cpu"`
	Alloc     int     `json:"alloc"`
	GarbageKB int     `json:"garbageKb"`
	SleepMs   float64 `json:"sleepMs"`
	Checksum  string  `json:"checksum"`
	ElapsedMs float64 `json:"elapsedMs"`
}

func handleWork(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	p, err := parseWorkParams(r.URL.Query())
	if err != nil {
		http.Error(w, "bad /work parameter: "+err.Error(), http.StatusBadRequest)
		return
	}
	sum, err := doWork(r.Context(), p)
	if err != nil {
		// The client went away during sleep_ms; nobody reads this answer.
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	res := workResult{OK: true, CPU: p.CPU, Alloc: p.Alloc, GarbageKB: p.GarbageKB, SleepMs: p.SleepMs,
		Checksum: fmt.Sprintf("%016x", sum), ElapsedMs: float64(time.Since(start).Nanoseconds()) / 1e6}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// doWork applies the costs in the documented order and folds every result into a checksum, so none of
// the work can be optimised away.
func doWork(ctx context.Context, p workParams) (uint64, error) {
	var sum uint64
	if p.CPU > 0 {
		sum ^= cpuWork(p.CPU)
	}
	if p.Alloc > 0 {
		c, err := allocWork(p.Alloc)
		if err != nil {
			return 0, err
		}
		sum ^= c
	}
	if p.GarbageKB > 0 {
		sum ^= garbageWork(p.GarbageKB)
	}
	if p.SleepMs > 0 {
		t := time.NewTimer(time.Duration(p.SleepMs * float64(time.Millisecond)))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return sum, nil
}

// cpuWork runs n chained rounds of SHA-256 over a 1 KiB buffer: each digest is written back into the
// buffer, so every round depends on the one before.
func cpuWork(n int) uint64 {
	var buf [cpuBufferBytes]byte
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	var d [sha256.Size]byte
	for range n {
		d = sha256.Sum256(buf[:])
		copy(buf[:], d[:])
	}
	return binary.LittleEndian.Uint64(d[:8])
}

// graphNode is a small, pointer-rich node: a pointer to a struct, a slice of pointers, a small map and
// strings — the kind of heap the Green Tea collector targets.
type graphNode struct {
	ID       int               `json:"id"`
	Name     string            `json:"name"`
	Meta     *graphMeta        `json:"meta"`
	Attrs    map[string]int    `json:"attrs"`
	Labels   map[string]string `json:"labels,omitempty"`
	Children []*graphNode      `json:"children,omitempty"`
}

type graphMeta struct {
	Owner string   `json:"owner"`
	Tags  []string `json:"tags"`
	Score float64  `json:"score"`
}

const graphFanout = 4

// buildGraph builds a tree of n nodes, fanout 4 (depth ~log4 n, so JSON recursion stays shallow).
func buildGraph(n int) *graphNode {
	nodes := make([]*graphNode, n)
	for i := range n {
		nd := &graphNode{
			ID:    i,
			Name:  "node-" + strconv.Itoa(i),
			Meta:  &graphMeta{Owner: "team-" + strconv.Itoa(i%17), Tags: []string{"a", strconv.Itoa(i % 5)}, Score: float64(i) / 3},
			Attrs: map[string]int{"w": i % 13, "h": i % 7},
		}
		if i%3 == 0 {
			nd.Labels = map[string]string{"tier": strconv.Itoa(i % 3)}
		}
		nodes[i] = nd
		if i > 0 {
			parent := nodes[(i-1)/graphFanout]
			parent.Children = append(parent.Children, nd)
		}
	}
	return nodes[0]
}

func countGraph(g *graphNode) (nodes int, ids uint64) {
	stack := []*graphNode{g}
	for len(stack) > 0 {
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes++
		ids += uint64(nd.ID) + uint64(nd.Attrs["w"])
		stack = append(stack, nd.Children...)
	}
	return nodes, ids
}

// allocWork builds an n-node graph, JSON-encodes it, decodes it back and drops both copies.
func allocWork(n int) (uint64, error) {
	g := buildGraph(n)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(g); err != nil {
		return 0, err
	}
	encoded := buf.Len()
	var back graphNode
	if err := json.NewDecoder(&buf).Decode(&back); err != nil {
		return 0, err
	}
	got, ids := countGraph(&back)
	if got != n {
		return 0, fmt.Errorf("alloc: decoded %d nodes, built %d", got, n)
	}
	return ids ^ uint64(encoded)<<32, nil
}

// garbagePieceAlloc is not inlined, so its result escapes and is always heap-allocated.
//
//go:noinline
func garbagePieceAlloc(seed byte) []byte {
	b := make([]byte, garbagePiece)
	b[0], b[garbagePiece-1] = seed, seed^0xff
	return b
}

// garbageWork allocates kib KiB of pointer-free, immediately dead memory in 1 KiB pieces.
func garbageWork(kib int) uint64 {
	var sum uint64
	for i := range kib {
		b := garbagePieceAlloc(byte(i))
		sum += uint64(b[0]) + uint64(b[garbagePiece-1])
	}
	return sum
}
