// Where the items of a JSON array (or the value of a top-level key) sit in the original text, so
// each batch item is stored byte for byte as it was sent, not as re-serialised JSON. The text must
// already be valid JSON (JSON.parse succeeded): the scanner only tracks strings and nesting.

type Span = [start: number, end: number];

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}

/** The end (exclusive) of the JSON value starting at `i`. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first !== "{" && first !== "[") {
    let j = i;
    while (j < text.length && !",]} \n\r\t".includes(text[j]!)) j++;
    return j;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') j = stringEnd(text, j) - 1;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

/** Spans of the items of the array that starts at `start` (or at the first non-space character). */
export function arrayItemSpans(text: string, start = skipWhitespace(text, 0)): Span[] | null {
  if (text[start] !== "[") return null;
  const spans: Span[] = [];
  let i = skipWhitespace(text, start + 1);
  if (text[i] === "]") return spans;
  while (i < text.length) {
    const end = valueEnd(text, i);
    spans.push([i, end]);
    i = skipWhitespace(text, end);
    if (text[i] === ",") i = skipWhitespace(text, i + 1);
    else break;
  }
  return spans;
}

/** The span of the value of `key` in the top-level object (the last one, as JSON.parse keeps). */
export function objectValueSpan(text: string, key: string): Span | null {
  let i = skipWhitespace(text, 0);
  if (text[i] !== "{") return null;
  let found: Span | null = null;
  i = skipWhitespace(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const end = valueEnd(text, i);
    if (name === key) found = [i, end];
    i = skipWhitespace(text, end);
    if (text[i] === ",") i = skipWhitespace(text, i + 1);
    else break;
  }
  return found;
}

/** The original bytes of each item of a JSON array body (optionally the array under a top-level key). */
export function arrayItemBytes(body: Uint8Array, options: { key?: string } = {}): Uint8Array[] | null {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  const outer = options.key ? objectValueSpan(text, options.key) : null;
  if (options.key && !outer) return null;
  const spans = arrayItemSpans(text, outer ? outer[0] : undefined);
  return spans ? spans.map(([s, e]) => Buffer.from(text.slice(s, e), "utf8")) : null;
}
