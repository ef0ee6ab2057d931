// The {id} of a trust route: a UUID, or 422 naming $.params.id.
import { AppError } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function trustIdParam(params: Record<string, string>): string {
  const id = params.id ?? "";
  if (!UUID.test(id))
    throw new AppError("unprocessable", "The id is not valid", { errors: [{ path: "$.params.id", message: "must be a UUID" }] });
  return id.toLowerCase();
}
