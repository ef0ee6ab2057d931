// Postgres text and jsonb cannot hold NUL characters, and unpaired UTF-16 surrogates are not text.

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is refused
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isUnstorable(s: string): boolean {
  return NUL.test(s) || LONE_SURROGATE.test(s);
}

/** The JSON path of the first string or key that cannot be stored as text, or null. Iterative. */
export function unstorableTextPath(value: unknown, base = "$"): string | null {
  const stack: Array<{ v: unknown; path: string }> = [{ v: value, path: base }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (isUnstorable(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (isUnstorable(k)) return path;
        stack.push({ v: x, path: /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]` });
      }
    }
  }
  return null;
}

export const UNSTORABLE_MESSAGE = "contains a NUL character or an unpaired surrogate, which cannot be stored as text";
