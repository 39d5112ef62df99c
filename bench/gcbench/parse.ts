/**
 * `go test -bench` output as data. Pure.
 */

/** One result line of `go test -bench`, e.g. `BenchmarkGet-2  2262710  518.1 ns/op  64 B/op  3 allocs/op`. */
export interface GoBenchLine {
  /** Benchmark name without the `-GOMAXPROCS` suffix (`BenchmarkGet`). */
  name: string;
  /** GOMAXPROCS the benchmark ran with (the `-N` suffix; 1 when absent). */
  procs: number;
  iterations: number;
  nsPerOp: number;
  /** With `-benchmem`; `null` without. */
  bytesPerOp: number | null;
  allocsPerOp: number | null;
}

const lineRe = /^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)\s+(.*)$/;

/** The result lines of `go test -bench` output, in order; other lines (goos, PASS, logs) are skipped. */
export function parseGoBenchOutput(stdout: string): GoBenchLine[] {
  const out: GoBenchLine[] = [];
  for (const raw of stdout.split('\n')) {
    const m = lineRe.exec(raw.trim());
    if (!m) continue;
    const units = new Map<string, number>();
    const fields = (m[4] as string).trim().split(/\s+/);
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const value = Number(fields[i]);
      if (Number.isFinite(value)) units.set(fields[i + 1] as string, value);
    }
    const nsPerOp = units.get('ns/op');
    if (nsPerOp === undefined) continue;
    out.push({
      name: m[1] as string,
      procs: m[2] === undefined ? 1 : Number(m[2]),
      iterations: Number(m[3]),
      nsPerOp,
      bytesPerOp: units.get('B/op') ?? null,
      allocsPerOp: units.get('allocs/op') ?? null,
    });
  }
  return out;
}
