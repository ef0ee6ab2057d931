// Inputs of the alert routes that withApi does not parse itself: the {id} segment, and the optional
// body of POST .../acknowledge (a bare POST acknowledges; a JSON body may add a note).
import { AppError } from "./errors";
import { parseJsonBody } from "./read-body";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The {id} of an alert route: a UUID, or 422 naming $.params.id. */
export function alertIdParam(params: Record<string, string>): string {
  const id = params.id ?? "";
  if (!UUID.test(id))
    throw new AppError("unprocessable", "The alert id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  return id.toLowerCase();
}

/** An empty body is `{}`; anything else must be JSON. */
export function optionalJsonBody(req: Request, raw: Uint8Array | null): unknown {
  if (!raw || raw.byteLength === 0) return {};
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", `Content-Type must be application/json, got "${type.slice(0, 100) || "none"}"`);
  }
  return parseJsonBody(raw);
}
