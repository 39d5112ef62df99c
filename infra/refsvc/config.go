package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Config is the service's resolved configuration. Flags win over environment variables, which win
// over the defaults set in newFlagSet.
type Config struct {
	Addr              string
	LiveHeapMiB       int
	Graceful          bool
	DrainMs           int
	ShutdownTimeoutMs int
}

// Bounds of the numeric settings: anything outside is a typo, not a wish.
const (
	maxLiveHeapMiB       = 1 << 18 // 256 GiB
	maxDrainMs           = 10 * 60 * 1000
	maxShutdownTimeoutMs = 60 * 60 * 1000
)

// ConfigError names the flag or variable that was wrong and how to fix it.
type ConfigError struct {
	Name  string // "-drain-ms" or "DRAIN_MS"
	Value string
	Want  string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: must be %s (got %q)", e.Name, e.Want, e.Value)
}

type setting struct {
	flag, env, want string
	apply           func(c *Config, raw string) bool // false when raw is not acceptable
}

func intSetting(flagName, env string, lo, hi int, target func(*Config) *int) setting {
	return setting{
		flag: flagName, env: env,
		want: fmt.Sprintf("a whole number from %d to %d", lo, hi),
		apply: func(c *Config, raw string) bool {
			n, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil || n < lo || n > hi {
				return false
			}
			*target(c) = n
			return true
		},
	}
}

var settings = []setting{
	{flag: "addr", env: "ADDR", want: "a listen address such as :8080 or 127.0.0.1:0",
		apply: func(c *Config, raw string) bool {
			if raw == "" || !strings.Contains(raw, ":") {
				return false
			}
			c.Addr = raw
			return true
		}},
	intSetting("live-heap-mb", "LIVE_HEAP_MB", 0, maxLiveHeapMiB, func(c *Config) *int { return &c.LiveHeapMiB }),
	{flag: "graceful", env: "GRACEFUL", want: "true or false",
		apply: func(c *Config, raw string) bool {
			b, err := strconv.ParseBool(strings.TrimSpace(raw))
			if err != nil {
				return false
			}
			c.Graceful = b
			return true
		}},
	intSetting("drain-ms", "DRAIN_MS", 0, maxDrainMs, func(c *Config) *int { return &c.DrainMs }),
	intSetting("shutdown-timeout-ms", "SHUTDOWN_TIMEOUT_MS", 0, maxShutdownTimeoutMs, func(c *Config) *int { return &c.ShutdownTimeoutMs }),
}

// defaultConfig holds every default in one place.
func defaultConfig() Config {
	return Config{Addr: ":8080", LiveHeapMiB: 0, Graceful: true, DrainMs: 0, ShutdownTimeoutMs: 30000}
}

// parseConfig resolves flags > environment > defaults. Errors name the flag or variable at fault.
// flag.ErrHelp is returned as is for -h.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("refsvc", flag.ContinueOnError)
	fs.SetOutput(usage)
	raw := make(map[string]*string, len(settings))
	for _, s := range settings {
		raw[s.flag] = fs.String(s.flag, "", fmt.Sprintf("%s (env %s)", s.want, s.env))
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q: refsvc takes only flags (see -h)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range settings {
		name, value := "-"+s.flag, *raw[s.flag]
		if !given[s.flag] {
			name, value = s.env, getenv(s.env)
			if value == "" {
				continue
			}
		}
		if !s.apply(&cfg, value) {
			return cfg, &ConfigError{Name: name, Value: value, Want: s.want}
		}
	}
	return cfg, nil
}

var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }
