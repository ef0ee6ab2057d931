// Artefact digests: `algorithm:hex`, lowercase. Uppercase or a wrong length is rejected, never fixed.

export type DigestAlgorithm = "sha256" | "sha512";
export type Digest = `${DigestAlgorithm}:${string}`;

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export type DigestParse = { ok: true; digest: Digest; algorithm: DigestAlgorithm; hex: string } | { ok: false; reason: string };

export function parseDigest(input: string): DigestParse {
  const idx = input.indexOf(":");
  if (idx < 0) return { ok: false, reason: "must be algorithm:hex, e.g. sha256:<64 hex characters>" };
  const algorithm = input.slice(0, idx);
  const hex = input.slice(idx + 1);
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    return { ok: false, reason: `unsupported digest algorithm "${algorithm.slice(0, 20)}" (sha256 or sha512)` };
  }
  const want = HEX_LENGTH[algorithm];
  if (/[A-F]/.test(hex)) return { ok: false, reason: "digest hex must be lowercase" };
  if (!/^[0-9a-f]*$/.test(hex)) return { ok: false, reason: "digest must be hexadecimal" };
  if (hex.length !== want) return { ok: false, reason: `${algorithm} digest must have ${want} hex characters, got ${hex.length}` };
  return { ok: true, digest: `${algorithm}:${hex}`, algorithm, hex };
}

export function isDigest(input: string): input is Digest {
  return parseDigest(input).ok;
}

/** A short form for display: sha256:abcdef012345. */
export function shortDigest(digest: string, length = 12): string {
  const idx = digest.indexOf(":");
  return idx < 0 ? digest.slice(0, length) : `${digest.slice(0, idx)}:${digest.slice(idx + 1, idx + 1 + length)}`;
}
