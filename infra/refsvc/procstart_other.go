//go:build !linux

package main

import (
	"errors"
	"time"
)

// bootTime is Linux-only; elsewhere the process start falls back to Go's package initialisation.
func bootTime() (time.Duration, error) {
	return 0, errors.New("CLOCK_BOOTTIME is Linux-only")
}
