import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCsv, parseCsv, parseCsvRows } from './index.ts';

test('quoted fields with commas, escaped quotes and newlines; CRLF; BOM; blank lines; no final newline', () => {
  const text = '\ufeffID,Note,MGMT\r\nA_11,"x, ""y""\nz",Methylated\r\n\r\nB_11,,"Not Available"';
  const rows = parseCsvRows(text);
  assert.deepEqual(rows, [
    { line: 1, fields: ['ID', 'Note', 'MGMT'] },
    { line: 2, fields: ['A_11', 'x, "y"\nz', 'Methylated'] },
    { line: 5, fields: ['B_11', '', 'Not Available'] },
  ]);
  const table = parseCsv(text);
  assert.deepEqual(table.header, ['ID', 'Note', 'MGMT']);
  assert.equal(table.records[1]!.values.MGMT, 'Not Available');
  assert.equal(table.records[1]!.line, 5);
});

test('format round-trips through parse', () => {
  const rows = [
    ['a', 'b,c', 'say "hi"'],
    ['', ' lead', 'multi\nline'],
  ];
  const text = formatCsv(['x', 'y', 'z'], rows);
  assert.deepEqual(
    parseCsvRows(text)
      .slice(1)
      .map((r) => r.fields),
    rows,
  );
});

test('malformed CSV fails with the line', () => {
  assert.throws(() => parseCsvRows('a,b\n"open,1\n'), /line 2: unterminated quoted field/);
  assert.throws(() => parseCsvRows('a,b\nx"y,1\n'), /line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'f.csv'), /f.csv line 2: 3 fields, the header has 2/);
  assert.throws(() => parseCsv(''), /empty file/);
});
