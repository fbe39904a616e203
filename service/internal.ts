// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * The service's internals that other folders use: throwaway self-signed
 * certificates for tests, benches and `deno task serve`, and the compute
 * budget's count and check (`maxCells`), which the cluster applies per
 * shard.
 * Not exported from any entry point, and not for users.
 *
 * @module
 */

export { issueCertificates, type IssuedCertificates } from "./_self_signed.ts";
export { cellsOf, checkCells } from "./_check.ts";
