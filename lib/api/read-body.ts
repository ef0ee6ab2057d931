import { checkPlainJsonValue } from "@/lib/ingest/cloudevents";
import { AppError } from "./errors";

// Deeper documents are refused before any adapter walks them (no real document nests this far).
const MAX_JSON_DEPTH = 64;

/** Reads a request body up to `limit` bytes; a larger one is refused with 413 without reading it all. */
export async function readBodyWithLimit(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw new AppError("payload_too_large", `The body is ${declared} bytes; the limit is ${limit} bytes`);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", `The body is larger than the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Parses a JSON body, answering 400 with the parser's message when it is not JSON. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) throw new AppError("bad_request", "The request body is empty; a JSON document is required");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The request body is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `The request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  const problem = checkPlainJsonValue(value, MAX_JSON_DEPTH);
  if (problem)
    throw new AppError("unprocessable", `The JSON document is not acceptable: ${problem}`, { errors: [{ path: "$", message: problem }] });
  return value;
}
