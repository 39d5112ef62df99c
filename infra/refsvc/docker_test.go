package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// expectedGOMAXPROCS is the Go 1.25+ default in a container (runtime/cgroup_linux.go,
// adjustCgroupGOMAXPROCS): the CPU limit rounded up, at least 2, never above the CPUs the process may
// run on. cpuLimit 0 means no limit.
func expectedGOMAXPROCS(cpuLimit float64, cpus int) int {
	if cpuLimit == 0 {
		return cpus
	}
	return min(max(2, int(math.Ceil(cpuLimit))), cpus)
}

func TestExpectedGOMAXPROCS(t *testing.T) {
	tests := []struct {
		limit float64
		cpus  int
		want  int
	}{{0.5, 8, 2}, {1, 8, 2}, {1.5, 8, 2}, {2, 8, 2}, {2.1, 8, 3}, {3.5, 8, 4}, {16, 8, 8}, {0, 8, 8}, {2, 1, 1}, {0.5, 1, 1}}
	for _, tt := range tests {
		if got := expectedGOMAXPROCS(tt.limit, tt.cpus); got != tt.want {
			t.Errorf("expectedGOMAXPROCS(%v, %d) = %d, want %d", tt.limit, tt.cpus, got, tt.want)
		}
	}
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// requireDocker skips when no engine answers, unless BENCH_REQUIRE_DOCKER=1 (CI), where it fails.
func requireDocker(t *testing.T) {
	t.Helper()
	reason := ""
	if _, err := exec.LookPath("docker"); err != nil {
		reason = "the docker CLI is not on PATH"
	} else if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		reason = "no Docker engine answers: " + strings.TrimSpace(string(out))
	}
	if reason == "" {
		return
	}
	if os.Getenv("BENCH_REQUIRE_DOCKER") == "1" {
		t.Fatalf("BENCH_REQUIRE_DOCKER=1 but %s (start one: bash infra/setup/docker-engine.sh)", reason)
	}
	t.Skipf("%s; set BENCH_REQUIRE_DOCKER=1 to make this a failure", reason)
}

// TestContainerGOMAXPROCS builds the FROM-scratch image and reads GOMAXPROCS from /debug/runtime under
// several CPU limits. On a host with 2 CPUs every limit from 0.5 to 2 gives 2 whether the runtime reads
// the limit or not (the minimum is 2 and the cap is the CPU count), so the limit cases cannot tell
// container-aware from container-unaware here; the cpuset case (affinity cap) and the GOMAXPROCS=16
// override can. On bigger hosts the limit cases separate them too.
func TestContainerGOMAXPROCS(t *testing.T) {
	requireDocker(t)
	bin := buildRefsvc(t, "", true)
	ctx := t.TempDir()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "refsvc"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	id := hex.EncodeToString(suffix)
	tag := "refsvc-test:" + id
	label := "bench.refsvc-test=" + id
	docker(t, "build", "--quiet", "-f", "Dockerfile.scratch", "-t", tag, "--label", label, ctx)
	t.Cleanup(func() {
		if out, err := exec.Command("docker", "ps", "-aq", "--filter", "label="+label).Output(); err == nil && len(out) > 0 {
			_ = exec.Command("docker", append([]string{"rm", "-f"}, strings.Fields(string(out))...)...).Run()
		}
		_ = exec.Command("docker", "rmi", "-f", tag).Run()
	})
	if user := docker(t, "image", "inspect", "--format", "{{.Config.User}}", tag); user != "65532:65532" {
		t.Fatalf("image user = %q, want 65532:65532", user)
	}

	hostCPUs := runtime.NumCPU()
	type tc struct {
		name    string
		cpus    float64 // --cpus; 0 = none
		cpuset  string
		env     []string
		want    int
		wantCPU int // numCPU the runtime should see
	}
	cases := []tc{}
	limits := []float64{0.5, 1, 1.5, 2}
	if hostCPUs > 2 {
		limits = append(limits, float64(hostCPUs))
	}
	for _, l := range limits {
		cases = append(cases, tc{name: fmt.Sprintf("cpus=%g", l), cpus: l, want: expectedGOMAXPROCS(l, hostCPUs), wantCPU: hostCPUs})
	}
	cases = append(cases,
		tc{name: "no limit", want: hostCPUs, wantCPU: hostCPUs},
		tc{name: "cpus=1 containermaxprocs=0 falls back to NumCPU", cpus: 1, env: []string{"GODEBUG=containermaxprocs=0"}, want: hostCPUs, wantCPU: hostCPUs},
		tc{name: "cpus=1 GOMAXPROCS=16 wins", cpus: 1, env: []string{"GOMAXPROCS=16"}, want: 16, wantCPU: hostCPUs},
		// The affinity mask caps the result below the minimum of 2.
		tc{name: "cpus=2 cpuset=0 caps at the affinity count", cpus: 2, cpuset: "0", want: expectedGOMAXPROCS(2, 1), wantCPU: 1},
	)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"run", "-d", "--label", label, "--name", fmt.Sprintf("refsvc-test-%s-%d", id, i), "-p", "127.0.0.1::8080"}
			if c.cpus > 0 {
				args = append(args, fmt.Sprintf("--cpus=%g", c.cpus))
			}
			if c.cpuset != "" {
				args = append(args, "--cpuset-cpus="+c.cpuset)
			}
			for _, e := range c.env {
				args = append(args, "-e", e)
			}
			cid := docker(t, append(args, tag)...)
			defer func() { _ = exec.Command("docker", "rm", "-f", cid).Run() }()
			hostPort := docker(t, "port", cid, "8080/tcp")
			hostPort = strings.Split(hostPort, "\n")[0]
			if !strings.HasPrefix(hostPort, "127.0.0.1:") {
				t.Fatalf("port mapping %q is not on loopback", hostPort)
			}
			url := "http://" + hostPort
			deadline := time.Now().Add(15 * time.Second)
			for {
				if status, _, err := get(shortClient, url+"/ready"); err == nil && status == 200 {
					break
				}
				if time.Now().After(deadline) {
					logs, _ := exec.Command("docker", "logs", cid).CombinedOutput()
					t.Fatalf("container not ready within 15 s; logs:\n%s", logs)
				}
				time.Sleep(20 * time.Millisecond)
			}
			_, snap := getSnapshot(t, url)
			if snap.Gomaxprocs != c.want || snap.NumCPU != c.wantCPU {
				t.Fatalf("gomaxprocs %d numCPU %d, want %d and %d (host CPUs %d)", snap.Gomaxprocs, snap.NumCPU, c.want, c.wantCPU, hostCPUs)
			}
			if want := strings.Join(c.env, ""); strings.HasPrefix(want, "GODEBUG=") && snap.Godebug != strings.TrimPrefix(want, "GODEBUG=") {
				t.Fatalf("godebug = %q", snap.Godebug)
			}
			if !snap.Stripped || snap.GCVariant != "default" {
				t.Fatalf("stripped %v gcVariant %q, want a stripped default build", snap.Stripped, snap.GCVariant)
			}
		})
	}
}
