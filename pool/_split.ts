// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Helpers of WorkerPool for splitting work into parts. Internal.

/**
 * Splits `count` items, whose prefix sizes are `offsets`, into at most
 * `parts` contiguous ranges of similar total size. Returns the boundaries
 * (first 0, last `count`).
 */
export function splitBySize(
  offsets: ArrayLike<number>,
  count: number,
  parts: number,
): number[] {
  const total = offsets[count];
  const bounds = [0];
  for (let c = 1; c < parts; c++) {
    const target = (total * c) / parts;
    let i = bounds[bounds.length - 1] + 1;
    while (i < count && offsets[i] < target) i++;
    if (i >= count) break;
    bounds.push(i);
  }
  bounds.push(count);
  return bounds;
}

/** The (non-shared) buffer of a typed array, to transfer it. */
export function buf(x: ArrayBufferView): ArrayBuffer {
  return x.buffer as ArrayBuffer;
}
