// Copyright 2026 the @midstreamer/kit authors. MIT license.

/** Options shared by the DTW functions. */
export interface DtwOptions {
  /**
   * Sakoe-Chiba band half-width, in points. The effective band is
   * `max(window, |n - m|)`, exactly as the original `calculateWithWindow`,
   * so the end cell is always reachable. `Infinity` means no band.
   *
   * @default {undefined} no band: the full matrix
   */
  window?: number;
  /**
   * Local cost of matching two points: `"absolute"` is `|x - y|` (the
   * original definition), `"squared"` is `(x - y)²`.
   *
   * @default {"absolute"}
   */
  cost?: "absolute" | "squared";
  /**
   * Early abandoning: the result is `Infinity` whenever the distance is
   * greater than `cutoff`, and computation stops as soon as that is certain.
   * A distance `<= cutoff` is returned exactly.
   *
   * @default {Infinity}
   */
  cutoff?: number;
}
