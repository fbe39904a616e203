// Copyright 2026 the midstreamer authors. MIT license.
/**
 * Test-time TLS material: a throwaway CA and a leaf certificate for
 * `localhost` / `127.0.0.1`, generated with the `openssl` CLI into a
 * temporary directory that is removed before this returns. Nothing is ever
 * written into the repository.
 *
 * @module
 */

/** PEM strings for a throwaway CA and a server certificate signed by it. */
export interface TestTls {
  /** The CA certificate (pass it as `caCerts`). */
  caCert: string;
  /** The server certificate chain (leaf + CA). */
  cert: string;
  /** The server's PKCS#8 private key. */
  key: string;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `openssl ${args[0]} failed (${code}): ${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
}

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
    const san = names.map((name) =>
      /^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`
    ).join(",");
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${san}`,
        "",
      ].join("\n"),
    );
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    await openssl(dir, [
      "req",
      "-x509",
      ...ec,
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=midstreamer test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await openssl(dir, [
      "req",
      "-new",
      ...ec,
      "-nodes",
      "-keyout",
      "leaf.key",
      "-out",
      "leaf.csr",
      "-subj",
      "/CN=localhost",
    ]);
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-sha256",
      "-extfile",
      "leaf.ext",
      "-out",
      "leaf.pem",
    ]);
    const [caCert, leaf, key] = await Promise.all(
      ["ca.pem", "leaf.pem", "leaf.key"].map((file) =>
        Deno.readTextFile(`${dir}/${file}`)
      ),
    );
    return { caCert: caCert!, cert: leaf! + caCert!, key: key! };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
