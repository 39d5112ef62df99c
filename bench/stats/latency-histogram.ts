/**
 * The latency histogram's format (HDR, microseconds), one home for the generators that record it and the
 * analysis that merges it: latencies up to 120 s at 3 significant digits, encoded into the run record
 * (compressed base64) so repeats can be merged later. Pure.
 */
import * as hdr from 'hdr-histogram-js';

/** Latencies up to 120 s, 3 significant digits: 10 µs resolution is kept up to ~10 ms and beyond. */
export function createLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function encodeHistogram(histogram: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}
