import { ValidationError } from '@spottune/errors';

/**
 * A small RFC 4180 CSV parser: quoted fields (with "" escapes, commas and newlines inside), CRLF or LF
 * line ends, a UTF-8 BOM, and a missing final newline. Blank lines are skipped. Rows keep their
 * 1-based starting line number so errors can name it.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export function parseCsvRows(text: string, fileName = 'CSV'): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quotedField = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    fields.push(field);
    // A line holding nothing (not even a quoted empty string) is a blank line, not a row.
    if (!(fields.length === 1 && fields[0] === '' && !quotedField)) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    quotedField = false;
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '') {
        throw new ValidationError(`${fileName} line ${line}: a quote inside an unquoted field`);
      }
      inQuotes = true;
      quotedField = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // handled by the '\n' on the next iteration
    } else if (c === '\n' || c === '\r') {
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
    }
  }
  if (inQuotes) throw new ValidationError(`${fileName} line ${rowLine}: unterminated quoted field`);
  if (field !== '' || fields.length > 0 || quotedField) endRow();
  return rows;
}

/** A CSV with a header row, as records keyed by (trimmed) column name. */
export interface CsvTable {
  header: string[];
  records: { line: number; values: Record<string, string> }[];
}

export function parseCsv(text: string, fileName = 'CSV'): CsvTable {
  const rows = parseCsvRows(text, fileName);
  const first = rows[0];
  if (first === undefined) throw new ValidationError(`${fileName}: empty file, expected a header row`);
  const header = first.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h) && h !== '')
      throw new ValidationError(`${fileName} line ${first.line}: duplicate column "${h}"`);
    seen.add(h);
  }
  const records = rows.slice(1).map((row) => {
    if (row.fields.length > header.length && row.fields.slice(header.length).some((f) => f.trim() !== '')) {
      throw new ValidationError(
        `${fileName} line ${row.line}: ${row.fields.length} fields, the header has ${header.length}`,
      );
    }
    const values: Record<string, string> = {};
    header.forEach((h, k) => {
      values[h] = row.fields[k] ?? '';
    });
    return { line: row.line, values };
  });
  return { header, records };
}

/** Quote a field when needed (comma, quote, CR/LF, or surrounding spaces). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
