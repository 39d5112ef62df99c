// spin burns CPU on GOMAXPROCS goroutines for a while and reports what it got: the CPU time it used per
// second of wall time (cores), and the CFS quota of its cgroup as the kernel shows it. It is the
// smallest workload that tells whether a CPU limit set by a kubelet inside a nested container holds.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return strings.TrimSpace(string(b))
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func main() {
	seconds := 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SPIN_FOR")); err == nil {
		seconds = d
	}
	cgroup := ""
	for _, line := range strings.Split(read("/proc/self/cgroup"), "\n") {
		if strings.Contains(line, ":cpu,") || strings.Contains(line, ":cpu:") {
			cgroup = line
		}
	}
	fmt.Printf("gomaxprocs=%d numcpu=%d quota=%s period=%s cgroup=%s\n", runtime.GOMAXPROCS(0), runtime.NumCPU(),
		read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), read("/sys/fs/cgroup/cpu/cpu.cfs_period_us"), cgroup)
	for {
		start, used := time.Now(), cpuSeconds()
		deadline := start.Add(seconds)
		done := make(chan struct{})
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			go func() {
				x := 0
				for time.Now().Before(deadline) {
					for j := 0; j < 100000; j++ {
						x += j
					}
				}
				_ = x
				done <- struct{}{}
			}()
		}
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			<-done
		}
		wall := time.Since(start).Seconds()
		fmt.Printf("cores=%.3f over %.1fs cpu.stat: %s\n", (cpuSeconds()-used)/wall, wall, strings.ReplaceAll(read("/sys/fs/cgroup/cpu/cpu.stat"), "\n", ", "))
	}
}
