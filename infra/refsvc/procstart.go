package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of /proc/<pid>/stat's starttime: USER_HZ, fixed at 100 on every Linux
// architecture Go supports, so the kernel's process start time has a 10 ms resolution.
const userHZ = 100

// clockTick is one USER_HZ tick, the resolution of the kernel's process start time.
const clockTick = time.Second / userHZ

// startup is how long the kernel had the process before its Go code ran.
type startup struct {
	// kernelAge is how long before the Go start the kernel created the process (fork; under a
	// container runtime, its container set-up before exec; then exec and the runtime's bootstrap),
	// rounded up to a clock tick; 0 when unknown.
	kernelAge time.Duration
	// source is "kernel" when kernelAge was read from /proc/self/stat, "init" when it could not be.
	source string
}

// processStartToReady is the time from the kernel's creation of the process to ready.
func (s startup) processStartToReady(initAt, readyAt time.Time) time.Duration {
	return readyAt.Sub(initAt) + s.kernelAge
}

// readStartup reads the process's start from the kernel: /proc/self/stat's starttime (clock ticks
// after boot, truncated) against CLOCK_BOOTTIME now. Truncation makes the age an overestimate by
// less than one tick, so figures built on it are upper bounds at 10 ms resolution.
func readStartup(bootNow func() (time.Duration, error)) startup {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return startup{source: "init"}
	}
	ticks, err := parseStartTicks(stat)
	if err != nil {
		return startup{source: "init"}
	}
	now, err := bootNow()
	if err != nil {
		return startup{source: "init"}
	}
	age := now - time.Duration(ticks)*clockTick
	if age < 0 {
		return startup{source: "init"}
	}
	return startup{kernelAge: age, source: "kernel"}
}

// parseStartTicks returns field 22 (starttime) of a /proc/<pid>/stat line. The command name (field 2)
// is in parentheses and may itself contain spaces and parentheses, so fields are counted after the
// last ')'.
func parseStartTicks(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("no command name in /proc/self/stat")
	}
	fields := bytes.Fields(stat[end+1:])
	// fields[0] is field 3 (state), so field 22 is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("/proc/self/stat has %d fields after the command name, want at least 20", len(fields))
	}
	return strconv.ParseUint(string(fields[19]), 10, 64)
}
