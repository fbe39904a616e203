// Copyright 2026 the @midstreamer/kit authors. MIT license.

/**
 * The pure-JavaScript algorithms of the original design document, kept
 * faithfully as the reference point of every benchmark and test:
 * {@linkcode PureJSDTW} (`calculate`, `calculateWithWindow`) and
 * {@linkcode PureJSLCS} (`calculate`, `buildCorrelationMatrix`), with the
 * same `Array`-of-`Array` matrices. {@linkcode typedArrayDtw} is what a good
 * JavaScript engineer would write instead.
 *
 * @example The original DTW
 * ```ts
 * import { PureJSDTW } from "@midstreamer/kit/baseline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PureJSDTW.calculate([0, 1, 2], [0, 2]), 1);
 * ```
 *
 * @module
 */

export * from "./pure_js_dtw.ts";
export * from "./pure_js_lcs.ts";
export * from "./typed_array_dtw.ts";
