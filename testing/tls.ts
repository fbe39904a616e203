// Copyright 2026 the @midstreamer/kit authors. MIT license.
/**
 * Test-time TLS material: a throwaway CA and a leaf certificate for
 * `localhost` / `127.0.0.1`, generated with the `openssl` CLI into a
 * temporary directory that is removed before this returns. Nothing is ever
 * written into the repository.
 *
 * @module
 */

import {
  issueCertificates,
  type IssuedCertificates,
} from "../service/internal.ts";

/** PEM strings for a throwaway CA and a server certificate signed by it. */
export type TestTls = IssuedCertificates;

/**
 * Generates a CA and a leaf certificate (EC P-256, valid 2 days) whose
 * subjectAltName covers `names` (DNS names and IP addresses).
 *
 * @example Generating certificates for a test
 * ```ts ignore
 * const tls = await generateTls();
 * await listen({ transport: "quic", cert: tls.cert, key: tls.key, ... });
 * ```
 *
 * @param names Host names and IPs the leaf certificate is valid for.
 * @returns PEM strings.
 */
export async function generateTls(
  names: string[] = ["localhost", "127.0.0.1", "::1"],
): Promise<TestTls> {
  const dir = await Deno.makeTempDir({ prefix: "midstreamer-tls-" });
  try {
    return await issueCertificates(dir, names, "midstreamer test CA");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
