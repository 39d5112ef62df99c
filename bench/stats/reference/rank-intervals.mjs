// Independent reference for bench/stats/difference.ts, by brute force and exact integer counts:
// the Mann–Whitney null distribution by enumerating every split of the ranks 1…m+n, the signed-rank
// null distribution by enumerating every sign vector, all pairwise differences / Walsh averages, and
// critical values from integer comparisons (count / total ≤ α/2 ⇔ 2·count·den ≤ total·num for α = num/den).
// Run: node bench/stats/reference/rank-intervals.mjs > bench/stats/reference/rank-intervals.json
// It shares no code with the production module.

function* combinations(n, k, start = 0, prefix = []) {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= n - (k - prefix.length); i++) yield* combinations(n, k, i + 1, [...prefix, i]);
}

/** counts[u] = number of splits with U = u, where U counts pairs with the second sample's value larger. */
function mannWhitneyCounts(m, n) {
  const counts = new Array(m * n + 1).fill(0);
  // Ranks 1…m+n; choose which ranks belong to the first sample.
  for (const first of combinations(m + n, m)) {
    const inFirst = new Set(first);
    let u = 0;
    for (let a = 0; a < m + n; a++) {
      if (!inFirst.has(a)) continue;
      for (let b = a + 1; b < m + n; b++) if (!inFirst.has(b)) u++;
    }
    counts[u]++;
  }
  return counts;
}

/** counts[t] = number of sign vectors whose positive ranks sum to t. */
function signedRankCounts(n) {
  const max = (n * (n + 1)) / 2;
  const counts = new Array(max + 1).fill(0);
  for (let mask = 0; mask < 2 ** n; mask++) {
    let t = 0;
    for (let r = 1; r <= n; r++) if (mask & (1 << (r - 1))) t += r;
    counts[t]++;
  }
  return counts;
}

const ALPHA_NUM = 1;
const ALPHA_DEN = 20;

function analyse(counts, differences) {
  const total = counts.reduce((a, b) => a + b, 0);
  const cum = [];
  let s = 0;
  for (const c of counts) cum.push((s += c));
  const below = (c) => (c < 0 ? 0 : cum[Math.min(c, cum.length - 1)]);
  // Largest c with P(U ≤ c) ≤ α/2, exactly: 2·count·den ≤ total·num.
  let critical = -1;
  while (2 * below(critical + 1) * ALPHA_DEN <= total * ALPHA_NUM) critical++;
  const sorted = [...differences].sort((a, b) => a - b);
  const N = sorted.length;
  const k = Math.max(critical, 0);
  const atOrBelow = sorted.filter((d) => d <= 0).length;
  const atOrAbove = sorted.filter((d) => d >= 0).length;
  const p = Math.min(1, (2 * Math.min(below(atOrBelow), below(atOrAbove))) / total);
  const mid = N >> 1;
  return {
    total,
    critical,
    achievedLevel: 1 - (2 * below(k)) / total,
    estimate: N % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    ci: [sorted[k], sorted[N - 1 - k]],
    p,
    significant: critical >= 0 && (sorted[k] > 0 || sorted[N - 1 - k] < 0),
  };
}

const pct = (x) => (Math.exp(x) - 1) * 100;

function independent(name, baseline, treatment) {
  const counts = mannWhitneyCounts(baseline.length, treatment.length);
  const raw = [];
  const logs = [];
  for (const b of baseline)
    for (const t of treatment) {
      raw.push(t - b);
      if (b > 0 && t > 0) logs.push(Math.log(t / b));
    }
  const positive = baseline.every((v) => v > 0) && treatment.every((v) => v > 0);
  return result(name, 'independent', { baseline, treatment }, counts, raw, positive ? logs : null);
}

function paired(name, pairs) {
  const n = pairs.length;
  const counts = signedRankCounts(n);
  const walsh = (d) => {
    const out = [];
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) out.push((d[i] + d[j]) / 2);
    return out;
  };
  const positive = pairs.every(([b, t]) => b > 0 && t > 0);
  return result(name, 'paired', { pairs }, counts, walsh(pairs.map(([b, t]) => t - b)), positive ? walsh(pairs.map(([b, t]) => Math.log(t / b))) : null);
}

function result(name, design, input, counts, raw, logs) {
  const shift = analyse(counts, raw);
  const ratio = logs && analyse(counts, logs);
  const decisive = ratio ?? shift;
  return {
    name,
    design,
    input,
    nullTotal: shift.total,
    criticalValue: shift.critical,
    achievedLevel: shift.achievedLevel,
    absolute: shift.estimate,
    absoluteCi: shift.ci,
    relativePct: ratio && pct(ratio.estimate),
    relativeCi: ratio && ratio.ci.map(pct),
    p: decisive.p,
    significant: decisive.significant,
  };
}

const cases = [
  // The bootstrap + Mann–Whitney counterexample: p = 0.032 with a bootstrap CI of [−71.1%, 0%].
  independent('counterexample 6 vs 6', [13, 48, 28, 12, 20, 12], [10, 11, 13, 10, 13, 10]),
  independent('separated 5 vs 5 (−10%)', [100, 101, 99, 102, 98], [90, 91, 89, 92, 88]),
  independent('overlapping 6 vs 6 (+ a few %)', [100, 104, 98, 101, 103, 99], [102, 106, 101, 108, 104, 110]),
  independent('3 vs 3 cannot reach 95%', [10, 10, 10], [12, 12, 12]),
  independent('5 vs 6 with ties', [5, 5, 6, 7, 7], [6, 7, 7, 8, 9, 9]),
  independent('zero baseline: shift only', [0, 0, 1, 0, 0], [2, 3, 1, 4, 2]),
  independent('8 vs 7 noisy, no effect', [31, 28, 35, 30, 29, 33, 27, 32], [30, 34, 28, 31, 29, 33, 30]),
  independent(
    '10 vs 10, +3% in noise',
    [50.1, 49.3, 51.2, 50.8, 48.9, 50.4, 49.7, 51.9, 50.0, 49.5],
    [51.4, 52.3, 50.2, 51.9, 53.1, 50.7, 52.6, 51.1, 49.8, 52.0],
  ),
  paired('paired 8 rounds, −5%', [
    [100, 95],
    [120, 113],
    [90, 86],
    [110, 104],
    [105, 101],
    [98, 92],
    [102, 97],
    [115, 110],
  ]),
  paired('paired 6 rounds, mixed', [
    [10, 11],
    [12, 11.5],
    [9, 9.6],
    [11, 10.4],
    [10.5, 11.2],
    [9.8, 10.1],
  ]),
  paired('paired 12 rounds, +2% in noise', [
    [20.1, 20.6],
    [19.8, 20.1],
    [20.5, 20.7],
    [20.0, 20.9],
    [19.6, 19.7],
    [20.3, 20.2],
    [20.8, 21.4],
    [19.9, 20.4],
    [20.2, 20.5],
    [20.6, 20.9],
    [19.7, 20.3],
    [20.4, 20.6],
  ]),
  paired('paired 5 rounds with a zero', [
    [0, 1],
    [2, 3],
    [1, 1],
    [3, 5],
    [2, 4],
  ]),
];

process.stdout.write(`${JSON.stringify({ alpha: ALPHA_NUM / ALPHA_DEN, cases }, null, 2)}\n`);
