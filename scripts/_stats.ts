// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Sample statistics shared by the report scripts. Internal.

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
