import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { checkpointMessage } from "./checkpoint";
import {
  formatSignature,
  jsonReportTail,
  PDF_SIGNATURE_PLACEHOLDER,
  parseSignature,
  pdfSlotContent,
  type ReportFormat,
  type ReportStatement,
  STATEMENT_TYPE,
  spkiFingerprint,
  statementBytes,
  toJsonSignature,
  verifyReport,
} from "./report-signature";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
const fingerprint = spkiFingerprint(pem);
const keys = (f: string) => (f === fingerprint ? pem : null);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

const checkpointAt = "2026-11-26T03:14:36.604Z";
const checkpoint = {
  sequence: "18",
  headHash: "sha256:ad4a93ff61eaa3ad5acf5889653c5e7345379bdcfa7b1f025452bc86a96b622c",
  createdAt: checkpointAt,
  keyFingerprint: fingerprint,
  signature: sign(
    null,
    checkpointMessage({
      sequence: 18n,
      headHash: "sha256:ad4a93ff61eaa3ad5acf5889653c5e7345379bdcfa7b1f025452bc86a96b622c",
      createdAt: new Date(checkpointAt),
    }),
    privateKey,
  ).toString("base64"),
};

function envelope(format: ReportFormat, sha256: string) {
  const statement: ReportStatement = {
    type: STATEMENT_TYPE,
    reportId: "01a215d9-0f79-78e2-9db1-46aa9654b374",
    format,
    environment: "prod",
    from: "2026-10-27T00:00:00.000Z",
    to: "2026-11-26T00:00:00.000Z",
    exportedAt: "2026-11-26T03:14:36.604Z",
    sha256,
    rows: 1,
    keyFingerprint: fingerprint,
    checkpoint,
  };
  const bytes = statementBytes(statement);
  return {
    keyId: fingerprint,
    reportId: statement.reportId,
    sha256,
    sig: sign(null, bytes, privateKey).toString("base64"),
    statement: bytes,
  };
}

const flip = (b: Buffer, at: number) => {
  const c = Buffer.from(b);
  c[at] = (c[at] ?? 0) ^ 0x01;
  return c;
};

describe("report signatures", () => {
  const csv = Buffer.from("deployment_id,environment\r\nx,prod\r\n");
  const csvSig = formatSignature(envelope("csv", sha(csv)));

  it("formats and parses the Vitrine-Signature value", () => {
    const parsed = parseSignature(csvSig);
    expect(parsed.ok && parsed.value.keyId).toBe(fingerprint);
    expect(parseSignature("keyid=a,report=b").ok).toBe(false);
    expect(parseSignature(`${csvSig},sig=again`).ok).toBe(false);
  });

  it("a CSV verifies with its signature, and not with one changed byte, another signature or none", () => {
    expect(verifyReport({ bytes: csv, signature: csvSig, publicKeyFor: keys })).toMatchObject({ valid: true, format: "csv", rows: 1 });
    for (let i = 0; i < csv.length; i++)
      expect(verifyReport({ bytes: flip(csv, i), signature: csvSig, publicKeyFor: keys }).valid).toBe(false);
    expect(verifyReport({ bytes: csv, signature: null, publicKeyFor: keys }).reason).toContain("Vitrine-Signature");
    expect(verifyReport({ bytes: csv, signature: csvSig, publicKeyFor: () => null }).reason).toContain("not a Vitrine signing key");
    const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(verifyReport({ bytes: csv, signature: csvSig, publicKeyFor: () => other }).valid).toBe(false);
    // A signature value with one changed character.
    const sigChars = csvSig.split("");
    const at = csvSig.indexOf("sig=") + 10;
    sigChars[at] = sigChars[at] === "A" ? "B" : "A";
    expect(verifyReport({ bytes: csv, signature: sigChars.join(""), publicKeyFor: keys }).valid).toBe(false);
  });

  it("a checkpoint whose signature does not verify makes the report invalid", () => {
    const bad = { ...envelope("csv", sha(csv)) };
    const statement = JSON.parse(bad.statement.toString()) as ReportStatement;
    statement.checkpoint = { ...statement.checkpoint, sequence: "19" };
    const bytes = statementBytes(statement);
    const value = formatSignature({ ...bad, statement: bytes, sig: sign(null, bytes, privateKey).toString("base64") });
    expect(verifyReport({ bytes: csv, signature: value, publicKeyFor: keys }).reason).toContain("checkpoint");
  });

  it("a JSON report carries its signature as the last member, byte for byte", () => {
    const content = { reportId: "r", rows: [{ a: 1 }], type: "vitrine.compliance-report/v1" };
    const canonical = canonicalJson(content);
    const file = Buffer.from(`${canonical.slice(0, -1)}${jsonReportTail(toJsonSignature(envelope("json", sha(Buffer.from(canonical)))))}`);
    expect(verifyReport({ bytes: file, publicKeyFor: keys })).toMatchObject({ valid: true, format: "json" });
    for (const at of [0, 5, Math.floor(file.length / 2), file.length - 3, file.length - 1]) {
      expect(verifyReport({ bytes: flip(file, at), publicKeyFor: keys }).valid, `byte ${at}`).toBe(false);
    }
    // Equivalent JSON that is not what Vitrine wrote (pretty-printed) is refused too.
    const pretty = Buffer.from(JSON.stringify(JSON.parse(file.toString()), null, 2));
    expect(verifyReport({ bytes: pretty, publicKeyFor: keys }).reason).toContain("byte for byte");
    // The CSV's signature does not fit the JSON.
    expect(verifyReport({ bytes: file, signature: csvSig, publicKeyFor: keys }).valid).toBe(false);
  });

  it("a PDF carries its signature in a slot whose blank form was hashed", () => {
    const before = Buffer.from(`%PDF-1.4\n1 0 obj\n<< /VitrineSignature (${PDF_SIGNATURE_PLACEHOLDER}) >>\nendobj\n%%EOF\n`, "latin1");
    const start = before.indexOf("VITRINE-SIGNATURE:") + "VITRINE-SIGNATURE:".length;
    const value = formatSignature(envelope("pdf", sha(before)));
    const file = Buffer.concat([before.subarray(0, start), pdfSlotContent(value), before.subarray(start + 4096)]);
    expect(file.length).toBe(before.length);
    expect(verifyReport({ bytes: file, publicKeyFor: keys })).toMatchObject({ valid: true, format: "pdf" });
    for (const at of [0, 12, start + 3, start + value.length + 10, start + 4095, start + 4096, file.length - 2]) {
      expect(verifyReport({ bytes: flip(file, at), publicKeyFor: keys }).valid, `byte ${at}`).toBe(false);
    }
    // A tab in the padding (which trimming would hide) is a change too.
    const tab = Buffer.from(file);
    tab[start + 4000] = 0x09;
    expect(verifyReport({ bytes: tab, publicKeyFor: keys }).valid).toBe(false);
  });
});
