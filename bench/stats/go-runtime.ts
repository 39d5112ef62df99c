/**
 * Rules of the Go runtime the harness predicts and checks, in one place. Pure.
 */

/**
 * Go 1.25+'s default GOMAXPROCS in a container: the CPU limit rounded up, at least 2, never more than
 * the CPUs the process may run on (its CPU affinity); with no limit, those CPUs.
 */
export function expectedAutoGomaxprocs(cpuLimit: number | null, availableCpus: number): number {
  if (cpuLimit === null) return availableCpus;
  return Math.min(Math.max(2, Math.ceil(cpuLimit)), availableCpus);
}
