// The {digest} of a route: `algorithm:hex` (the colon may arrive percent-encoded), or 422 naming $.params.digest.
import { parseDigest } from "@/lib/domain/digest";
import { AppError } from "./errors";

export function digestParam(params: Record<string, string>): string {
  let raw = params.digest ?? "";
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // left as is: parseDigest names what is wrong
  }
  const parsed = parseDigest(raw);
  if (!parsed.ok)
    throw new AppError("unprocessable", "The digest is not valid", { errors: [{ path: "$.params.digest", message: parsed.reason }] });
  return parsed.digest;
}
