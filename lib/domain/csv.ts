// CSV for exports: RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted, quotes
// doubled) and safe to open in a spreadsheet: a cell that starts like a formula (= + - @, or a tab or
// carriage return before one) is prefixed with ' so it is shown as text, never evaluated (OWASP CSV injection).

export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
