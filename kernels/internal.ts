// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The kernels' interface to the other folders of the kit: what `pool/`,
 * `service/` and `core/` use beyond the public API of `mod.ts` (argument
 * checking, the kernels on validated and packed inputs, and the exact
 * merging of partial results). Not exported from any entry point, and not
 * for users: it changes with the kit. Every import of the kernels'
 * private files from another folder goes through this list, so that it
 * shows the whole coupling.
 *
 * @module
 */

export {
  badElement,
  beyondF32,
  type CheckedSeries,
  checkOptionKeys,
  commonDims,
  copyForm,
  copyPacked,
  copySeries,
  describe,
  DTW_OPTION_KEYS,
  type DtwArgs,
  dtwArgs,
  type Layout,
  type ListForms,
  listForms,
  listLength,
  multivariateArg,
  packSeries,
  pathArgs,
  patternOffsets,
  precisionArg,
  type SeriesForm,
  seriesForm,
  seriesLength,
  statsArg,
  toF64,
} from "./_validate.ts";
export { withBoundExchange } from "./_bound_exchange.ts";
export {
  batchPacked,
  dtwPacked,
  MAX_GROUPED_VALUES,
  type PackedInput,
  type PackedPatterns,
  packRange,
  PATH_LIMIT_CELLS,
  pathPacked,
  patternGroupValues,
  roundStagedF32,
  SEARCH_RESET,
  type SearchArgs,
  searchPacked,
  type SearchResult,
  searchStaged,
  stagedNonFinite,
  topKPacked,
  type TopKResult,
} from "./_kernel_calls.ts";
export {
  fillTopKStats,
  mergeTopK,
  TOP_K_KEYS,
  type TopKArgs,
  topKArgs,
} from "./_top_k.ts";
export {
  f64SearchOnly,
  fillSearchStats,
  partWindowsArg,
  SEARCH_KEYS,
  searchArgs,
  type SearchInput,
  searchInput,
  searchMatches,
  searchParts,
  searchPartWindows,
  searchPrecision,
  selectMatches,
  subsequenceMatch,
} from "./_search.ts";
export {
  ALONE_CORRELATION_WORK,
  assembleCorrelationMatrix,
  correlationMatrixOf,
  type CorrelationRows,
  correlationRows,
  correlationWork,
  emptyCorrelationMatrix,
  type EncodedSequences,
  encodeSequences,
  LOCAL_CORRELATION_WORK,
  pairCount,
  splitRows,
  writeCorrelationRows,
} from "./_correlation.ts";
export {
  checkTotal,
  type InternedPair,
  internPair,
  sequenceLength,
  SymbolTable,
} from "./_symbols.ts";
export { KIT_EXPORTS } from "./_wasm.generated.ts";
export { f64Heap, i32Heap, kit, scratch, Slot, wasmSha256 } from "./_wasm.ts";
