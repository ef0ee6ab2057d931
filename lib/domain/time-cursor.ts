// Keyset cursors for lists ordered by (time, id): base64url("<ISO time>|<uuid>"). Stable when rows are
// added while someone pages, and opaque to the reader. Pure: no clock, no database.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type TimeCursor = { at: Date; id: string };

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

/** The cursor's position, or null when the text is not a cursor this module wrote. */
export function decodeTimeCursor(cursor: string): TimeCursor | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const [iso, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (extra !== undefined || !id || !UUID.test(id) || !iso || !/^\d{4}-\d{2}-\d{2}T/.test(iso)) return null;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? null : { at, id };
}
