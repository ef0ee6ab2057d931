// Typed fetch for React Query: throws the problem+json detail (and field errors) on failure.
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const p = (body ?? {}) as { detail?: string; title?: string; errors?: Array<{ path: string; message: string }> };
    throw new ApiError(p.detail ?? p.title ?? `Request failed (${res.status})`, res.status, p.errors ?? []);
  }
  return body as T;
}
