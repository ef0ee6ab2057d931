/** A timestamp shown in UTC, with the ISO value for machines and screen readers. */
export function Time({ iso }: { iso: string }) {
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return <time dateTime={iso}>{text}</time>;
}
