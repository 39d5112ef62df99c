// Package gcbench pins the third-party Go benchmark that `bench gcbench` runs under both GC builds
// (Go's default collector and GOEXPERIMENT=nogreenteagc). It has no code of its own: the benchmarks
// are those of github.com/google/btree's own test files, run with `go test -bench` on that package,
// so the figures come from code this project did not write. See README.md.
package gcbench

import _ "github.com/google/btree"
