package main

import (
	"context"
	"testing"
)

// BenchmarkWork reports the in-process cost of the /work mixes the harness uses
// (scenarios/workloads.ts), without HTTP: `go test -run '^$' -bench Work -benchmem`.
func BenchmarkWork(b *testing.B) {
	mixes := []struct {
		name string
		p    workParams
	}{
		{"cpu=40", workParams{CPU: 40}},
		{"alloc=400", workParams{Alloc: 400}},
		{"cpu=10&alloc=100", workParams{CPU: 10, Alloc: 100}},
		{"alloc=200&garbage_kb=256", workParams{Alloc: 200, GarbageKB: 256}},
		{"garbage_kb=256", workParams{GarbageKB: 256}},
	}
	for _, m := range mixes {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := doWork(context.Background(), m.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
