module go-claims-bench/infra/kind/podman/spin

go 1.24
