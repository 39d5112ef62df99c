package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string // substring naming the flag or variable; "" for success
	}{
		{name: "defaults", want: defaultConfig()},
		{name: "env values", env: map[string]string{"ADDR": "127.0.0.1:9000", "LIVE_HEAP_MB": "64", "GRACEFUL": "false", "DRAIN_MS": "1500", "SHUTDOWN_TIMEOUT_MS": "5000"},
			want: Config{Addr: "127.0.0.1:9000", LiveHeapMiB: 64, Graceful: false, DrainMs: 1500, ShutdownTimeoutMs: 5000}},
		{name: "flag wins over env", args: []string{"-live-heap-mb", "8", "-graceful=true", "-addr", ":9999"}, env: map[string]string{"LIVE_HEAP_MB": "64", "GRACEFUL": "false", "ADDR": ":1"},
			want: Config{Addr: ":9999", LiveHeapMiB: 8, Graceful: true, DrainMs: 0, ShutdownTimeoutMs: 30000}},
		{name: "flag wins over a bad env value", args: []string{"-drain-ms", "10"}, env: map[string]string{"DRAIN_MS": "soon"},
			want: Config{Addr: ":8080", Graceful: true, DrainMs: 10, ShutdownTimeoutMs: 30000}},
		{name: "bad env live heap", env: map[string]string{"LIVE_HEAP_MB": "lots"}, wantErr: `LIVE_HEAP_MB: must be a whole number from 0 to 262144 (got "lots")`},
		{name: "negative env live heap", env: map[string]string{"LIVE_HEAP_MB": "-1"}, wantErr: "LIVE_HEAP_MB"},
		{name: "huge live heap", env: map[string]string{"LIVE_HEAP_MB": "999999999"}, wantErr: "LIVE_HEAP_MB"},
		{name: "bad env graceful", env: map[string]string{"GRACEFUL": "maybe"}, wantErr: `GRACEFUL: must be true or false (got "maybe")`},
		{name: "bad env drain", env: map[string]string{"DRAIN_MS": "1.5"}, wantErr: "DRAIN_MS"},
		{name: "bad env timeout", env: map[string]string{"SHUTDOWN_TIMEOUT_MS": "-5"}, wantErr: "SHUTDOWN_TIMEOUT_MS"},
		{name: "bad env addr", env: map[string]string{"ADDR": "8080"}, wantErr: `ADDR: must be a listen address`},
		{name: "bad flag names the flag", args: []string{"-drain-ms", "x"}, wantErr: `-drain-ms: must be a whole number`},
		{name: "bad flag graceful", args: []string{"-graceful=nope"}, wantErr: "-graceful"},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: "flag provided but not defined: -nope"},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("config = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &out)
	if !isHelp(err) {
		t.Fatalf("-h: error = %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"LIVE_HEAP_MB", "GRACEFUL", "DRAIN_MS", "SHUTDOWN_TIMEOUT_MS", "ADDR"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("usage does not mention %s:\n%s", name, out.String())
		}
	}
	var ce *ConfigError
	_, err = parseConfig(nil, func(k string) string {
		if k == "DRAIN_MS" {
			return "x"
		}
		return ""
	}, io.Discard)
	if !errors.As(err, &ce) || ce.Name != "DRAIN_MS" {
		t.Fatalf("error = %#v, want a ConfigError naming DRAIN_MS", err)
	}
}
