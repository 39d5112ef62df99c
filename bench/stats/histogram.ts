/**
 * Latency percentiles across repeats from merged HDR histograms (microseconds), never from an average
 * of per-repeat percentiles: P99 of the pooled requests.
 */
import { createLatencyHistogram, decodeHistogram } from './latency-histogram.js';

export interface PooledLatency {
  /** Repeats whose histograms were merged. */
  histograms: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** Merges encoded histograms (`encodeIntoCompressedBase64`) and reads percentiles in ms; `null` if none. */
export function mergeLatencyHistograms(encoded: readonly string[]): PooledLatency | null {
  if (encoded.length === 0) return null;
  const merged = createLatencyHistogram();
  try {
    for (const text of encoded) {
      const h = decodeHistogram(text);
      merged.add(h);
      h.destroy();
    }
    if (merged.totalCount === 0) return null;
    const ms = (us: number) => us / 1000;
    return {
      histograms: encoded.length,
      requests: merged.totalCount,
      p50Ms: ms(merged.getValueAtPercentile(50)),
      p90Ms: ms(merged.getValueAtPercentile(90)),
      p99Ms: ms(merged.getValueAtPercentile(99)),
      p999Ms: ms(merged.getValueAtPercentile(99.9)),
      maxMs: ms(merged.maxValue),
    };
  } finally {
    merged.destroy();
  }
}
