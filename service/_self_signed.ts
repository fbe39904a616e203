// Copyright 2026 the @midstreamer/kit authors. MIT license.
// Throwaway TLS material for `deno task serve --self-signed`. Internal.

/** PEM files of a throwaway CA and a server certificate it signed. */
export interface SelfSigned {
  /** Directory holding `ca.pem` (remove it with {@linkcode SelfSigned.remove}). */
  dir: string;
  /** Path of the CA certificate that clients must trust. */
  caPath: string;
  /** Server certificate chain (leaf + CA), PEM. */
  cert: string;
  /** Server private key, PEM. */
  key: string;
  /** Deletes the directory. */
  remove(): Promise<void>;
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

/** PEM strings of a throwaway CA and a leaf certificate it signed. */
export interface IssuedCertificates {
  /** The CA certificate, PEM. */
  caCert: string;
  /** The leaf certificate chain (leaf + CA), PEM. */
  cert: string;
  /** The leaf's private key, PEM. */
  key: string;
}

/**
 * Generates, with the `openssl` CLI, a CA named `caName` and a leaf
 * certificate (EC P-256, valid 2 days) whose subjectAltName covers `names`
 * (DNS names and IP addresses). The working files (`ca.pem`, `ca.key`,
 * `leaf.pem`, ...) are written into the existing directory `dir`; the caller
 * owns and removes them.
 */
export async function issueCertificates(
  dir: string,
  names: Iterable<string>,
  caName: string,
): Promise<IssuedCertificates> {
  const san = [...names].map((name) =>
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
    `/CN=${caName}`,
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
  const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
  const [caCert, leaf, key] = await Promise.all(
    [read("ca.pem"), read("leaf.pem"), read("leaf.key")],
  );
  return { caCert, cert: leaf + caCert, key };
}

/**
 * Generates, with the `openssl` CLI, a CA and a leaf certificate (EC P-256,
 * valid 2 days) for `localhost`, `127.0.0.1`, `::1` and `hostname`, in a
 * new temporary directory that keeps only `ca.pem`.
 */
export async function selfSigned(hostname: string): Promise<SelfSigned> {
  const dir = await Deno.makeTempDir({ prefix: "midstreamer-serve-" });
  const remove = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    const { cert, key } = await issueCertificates(
      dir,
      new Set(["localhost", "127.0.0.1", "::1", hostname]),
      "midstreamer serve CA",
    );
    for (
      const file of [
        "ca.key",
        "ca.srl",
        "leaf.csr",
        "leaf.ext",
        "leaf.key",
        "leaf.pem",
      ]
    ) {
      await Deno.remove(`${dir}/${file}`).catch(() => {});
    }
    return { dir, caPath: `${dir}/ca.pem`, cert, key, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
