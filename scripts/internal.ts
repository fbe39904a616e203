// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The internals of the scripts that tests check directly: the paired
 * comparison (capture, measurement, statistics, verdicts, results files),
 * the HTML report and the fuzzer.
 * Not exported from any entry point, and not for users.
 *
 * @module
 */

export { analyseAgainst, analyseBaseline } from "./_compare/analyse.ts";
export { captureBenches, runnable } from "./_compare/capture.ts";
export { measureUnit } from "./_compare/measure.ts";
export {
  type MeasuredUnit,
  parseResults,
  type Results,
  type SystemInfo,
} from "./_compare/results.ts";
export {
  borderline,
  pairedRatio,
  sessionsChange,
  sessionsRatio,
  verdictOf,
} from "./_compare/verdict.ts";
export { mapSpecifier, rewriteSpecifiers } from "./_compare/worktree.ts";
export { runFuzz } from "./_fuzz.ts";
export { seriesName, splitGroup } from "./_report/benches.ts";
export { renderHtml } from "./_report/html.ts";
export {
  meanInterval,
  rankSumCritical,
  rankSumInterval,
  signedRankCritical,
  signedRankInterval,
  studentCritical95,
} from "./_stats.ts";
