// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Sample statistics shared by the report and comparison scripts. Internal.
//
// The rank-based interval estimates are distribution-free, as in the textbooks
// (Hollander, Wolfe & Chicken, "Nonparametric Statistical Methods", 3rd
// ed., §3.2 and §4.3):
// - one sample (paired rounds): the Hodges–Lehmann estimate and the
//   Wilcoxon signed-rank confidence interval, from the sorted Walsh
//   averages; valid when the differences are symmetric about their centre,
//   which paired, alternated rounds of exchangeable sides give;
// - two samples (a run against a saved file): the Hodges–Lehmann shift and
//   the Mann–Whitney interval, from the sorted pairwise differences.
// Both use the exact null distribution for small samples and the normal
// approximation (with continuity correction) for large ones. One is not:
// Student's t interval of a mean (`meanInterval`), for a few values that are
// each an estimate themselves (one per process), assumed roughly normal.

/**
 * Nearest-rank percentile `q` (in (0, 1]) of samples sorted ascending, or
 * `empty` when there are none.
 */
export function percentile(
  sorted: ArrayLike<number>,
  q: number,
  empty = NaN,
): number {
  if (sorted.length === 0) return empty;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Arithmetic mean of `samples`, or `empty` when there are none. */
export function mean(samples: ArrayLike<number>, empty = NaN): number {
  if (samples.length === 0) return empty;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i];
  return sum / samples.length;
}

/** Median of `samples` (the lower one of an even count), or `empty`. */
export function median(samples: ArrayLike<number>, empty = NaN): number {
  return percentile(Float64Array.from(samples).sort(), 0.5, empty);
}

/** The middle of `samples`: the mean of the two middle values of an even count. */
export function midpoint(samples: ArrayLike<number>): number {
  const s = Float64Array.from(samples).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** A point estimate with its confidence interval. */
export interface Estimate {
  /** The point estimate. */
  value: number;
  /** Lower end of the interval (`-Infinity` when the sample is too small). */
  lo: number;
  /** Upper end of the interval (`Infinity` when the sample is too small). */
  hi: number;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [
    -3.969683028665376e1,
    2.209460984245205e2,
    -2.759285104469687e2,
    1.38357751867269e2,
    -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1,
    1.615858368580409e2,
    -1.556989798598866e2,
    6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3,
    -3.223964580411365e-1,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [
    7.784695709041462e-3,
    3.224671290700398e-1,
    2.445134137142996,
    3.754408661907416,
  ];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
    q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Student's t quantile 0.975 for 1-30 degrees of freedom (the two-sided
 * 95 % critical value), to four decimals.
 */
const T_975 = [
  12.7062,
  4.3027,
  3.1824,
  2.7764,
  2.5706,
  2.4469,
  2.3646,
  2.306,
  2.2622,
  2.2281,
  2.201,
  2.1788,
  2.1604,
  2.1448,
  2.1314,
  2.1199,
  2.1098,
  2.1009,
  2.093,
  2.086,
  2.0796,
  2.0739,
  2.0687,
  2.0639,
  2.0595,
  2.0555,
  2.0518,
  2.0484,
  2.0452,
  2.0423,
];

/**
 * The two-sided 95 % critical value of Student's t with `df` degrees of
 * freedom: from a table up to 30, beyond it from the Cornish–Fisher
 * expansion about the normal quantile (Abramowitz & Stegun 26.7.5, first
 * two terms; error below 1e-4 there).
 */
export function studentCritical95(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) {
    throw new RangeError(`df must be a positive integer, got ${df}`);
  }
  if (df <= T_975.length) return T_975[df - 1];
  const z = normalQuantile(0.975);
  return z + (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/**
 * The mean of `x` and Student's t 95 % interval for it (unbounded below two
 * values): the interval for the centre of a few values, each itself an
 * estimate (e.g. one per process), that are roughly normal.
 */
export function meanInterval(x: ArrayLike<number>): Estimate {
  const n = x.length;
  const m = mean(x);
  if (n < 2) return { value: m, lo: -Infinity, hi: Infinity };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) ** 2;
  const half = studentCritical95(n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { value: m, lo: m - half, hi: m + half };
}

/** Largest `c` with `P(X <= c) <= tail`, from a probability mass function; -1 if none. */
function lowerCritical(pmf: Float64Array, tail: number): number {
  let cdf = 0;
  for (let c = 0; c < pmf.length; c++) {
    cdf += pmf[c];
    // A relative slack absorbs the rounding of the summed probabilities.
    if (cdf > tail * (1 + 1e-12)) return c - 1;
  }
  return pmf.length - 1;
}

/** Sample sizes up to which the exact null distributions are used. */
const EXACT_SIGNED_RANK = 300;
const EXACT_RANK_SUM = 2500; // n1 · n2

/**
 * How many of the smallest Walsh averages lie below the Wilcoxon
 * signed-rank interval of `n` differences at confidence `level`: the
 * largest `c` with `P(T <= c) <= (1 - level) / 2` under the null
 * distribution of the signed-rank statistic `T`, or -1 when even `c = 0` is
 * too likely (then the interval is unbounded).
 */
export function signedRankCritical(n: number, level = 0.95): number {
  const tail = (1 - level) / 2;
  const total = (n * (n + 1)) / 2;
  if (n <= EXACT_SIGNED_RANK) {
    // pmf of T = Σ rank_i · [sign_i > 0], built one rank at a time.
    let pmf = new Float64Array(total + 1);
    pmf[0] = 1;
    let top = 0;
    for (let r = 1; r <= n; r++) {
      const next = new Float64Array(total + 1);
      for (let t = 0; t <= top; t++) {
        next[t] += pmf[t] / 2;
        next[t + r] += pmf[t] / 2;
      }
      pmf = next;
      top += r;
    }
    return lowerCritical(pmf, tail);
  }
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
  return Math.max(-1, Math.floor(total / 2 + normalQuantile(tail) * sd - 0.5));
}

/**
 * The largest `c` with `P(U <= c) <= (1 - level) / 2` for the Mann–Whitney
 * statistic of samples of sizes `n1` and `n2`, or -1 when none.
 */
export function rankSumCritical(n1: number, n2: number, level = 0.95): number {
  const tail = (1 - level) / 2;
  if (n1 * n2 <= EXACT_RANK_SUM) {
    // f[i][j] = pmf of U for sizes (i, j), by f(i, j)(u) =
    // (i f(i-1, j)(u - j) + j f(i, j-1)(u)) / (i + j).
    let prev: Float64Array[] = [];
    for (let i = 0; i <= n1; i++) {
      const row: Float64Array[] = [];
      for (let j = 0; j <= n2; j++) {
        const f = new Float64Array(i * j + 1);
        if (i === 0 || j === 0) {
          f[0] = 1;
        } else {
          const a = prev[j];
          const b = row[j - 1];
          for (let u = 0; u < a.length; u++) f[u + j] += (a[u] * i) / (i + j);
          for (let u = 0; u < b.length; u++) f[u] += (b[u] * j) / (i + j);
        }
        row.push(f);
      }
      prev = row;
    }
    return lowerCritical(prev[n2], tail);
  }
  const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return Math.max(
    -1,
    Math.floor((n1 * n2) / 2 + normalQuantile(tail) * sd - 0.5),
  );
}

/**
 * The Hodges–Lehmann estimate of the centre of `d` (the median of the Walsh
 * averages `(d_i + d_j) / 2`, `i <= j`) and the Wilcoxon signed-rank
 * confidence interval at `level`. Needs 6 values for a bounded 95 %
 * interval.
 */
export function signedRankInterval(
  d: ArrayLike<number>,
  level = 0.95,
): Estimate {
  const n = d.length;
  if (n === 0) return { value: NaN, lo: -Infinity, hi: Infinity };
  const walsh = new Float64Array((n * (n + 1)) / 2);
  let w = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) walsh[w++] = (d[i] + d[j]) / 2;
  }
  walsh.sort();
  const c = signedRankCritical(n, level);
  return {
    value: midpoint(walsh),
    lo: c < 0 ? -Infinity : walsh[c],
    hi: c < 0 ? Infinity : walsh[walsh.length - 1 - c],
  };
}

/**
 * The Hodges–Lehmann shift from `x` to `y` (the median of all `y_j - x_i`)
 * and its Mann–Whitney confidence interval at `level`.
 */
export function rankSumInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  level = 0.95,
): Estimate {
  if (x.length === 0 || y.length === 0) {
    return { value: NaN, lo: -Infinity, hi: Infinity };
  }
  const diffs = new Float64Array(x.length * y.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) diffs[k++] = y[j] - x[i];
  }
  diffs.sort();
  const c = rankSumCritical(x.length, y.length, level);
  return {
    value: midpoint(diffs),
    lo: c < 0 ? -Infinity : diffs[c],
    hi: c < 0 ? Infinity : diffs[diffs.length - 1 - c],
  };
}
