import { ValidationError } from '@spottune/errors';
import { formatCsv, parseCsvRows } from './csv.ts';
import { isModalityGroup, type ModalityGroup } from './modalities.ts';

/** One row of a split file: a patient's role (and validation fold) within a modality group. */
export interface SplitRow {
  group: ModalityGroup | undefined;
  patient: string;
  role: 'test' | 'train';
  /** Validation fold (0-based) of a train patient; undefined for test. */
  fold: number | undefined;
}

const GROUP_ORDER: readonly ModalityGroup[] = ['DSC', 'DTI', 'Struct'];
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `group,patient,role,fold` rows, in a canonical order (group, test before train, fold, patient), so
 * the same plan always gives byte-identical text. Publishing this file is how a split is reproduced
 * exactly (sklearn's MT19937 shuffles cannot be, reference Q8).
 */
export function exportSplitsCsv(plan: {
  groups: Partial<Record<string, { test: readonly string[]; folds: readonly (readonly string[])[] }>>;
}): string {
  const rows: string[][] = [];
  for (const group of GROUP_ORDER) {
    const split = plan.groups[group];
    if (split === undefined) continue;
    for (const id of [...split.test].sort(byId)) rows.push([group, id, 'test', '']);
    split.folds.forEach((fold, k) => {
      for (const id of [...fold].sort(byId)) rows.push([group, id, 'train', String(k)]);
    });
  }
  return formatCsv(['group', 'patient', 'role', 'fold'], rows);
}

export interface ImportSplitsOptions {
  /** Known patient ids; a row naming another fails. */
  patients?: Iterable<string>;
  fileName?: string;
}

export interface ImportedSplits {
  rows: SplitRow[];
  /** Per group ('*' when the file has no group column): test ids and validation folds, sorted. */
  groups: Record<string, { test: string[]; folds: string[][] }>;
}

/**
 * Parse a split file with header `patient,role,fold` and an optional `group` column (any column order).
 * Validates every row; the first problem throws a ValidationError naming the line.
 */
export function importSplitsCsv(text: string, options: ImportSplitsOptions = {}): ImportedSplits {
  const file = options.fileName ?? 'splits CSV';
  const rowsIn = parseCsvRows(text, file);
  const headerRow = rowsIn[0];
  if (headerRow === undefined) throw new ValidationError(`${file}: empty, expected header patient,role,fold`);
  const header = headerRow.fields.map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  for (const name of ['patient', 'role', 'fold']) {
    if (col(name) < 0) {
      throw new ValidationError(
        `${file} line ${headerRow.line}: missing column "${name}" (need patient,role,fold)`,
      );
    }
  }
  const known = options.patients === undefined ? undefined : new Set(options.patients);
  const seen = new Map<string, number>();
  const rows: SplitRow[] = [];
  for (const { line, fields } of rowsIn.slice(1)) {
    const at = `${file} line ${line}`;
    if (fields.length !== header.length) {
      throw new ValidationError(`${at}: ${fields.length} fields, expected ${header.length}`);
    }
    const get = (name: string): string => (col(name) >= 0 ? (fields[col(name)] ?? '').trim() : '');
    const patient = get('patient');
    if (patient === '') throw new ValidationError(`${at}: empty patient`);
    if (known !== undefined && !known.has(patient))
      throw new ValidationError(`${at}: unknown patient ${patient}`);
    const groupText = get('group');
    let group: ModalityGroup | undefined;
    if (col('group') >= 0) {
      if (!isModalityGroup(groupText)) {
        throw new ValidationError(`${at}: group "${groupText}" is not one of DSC, DTI, Struct`);
      }
      group = groupText;
    }
    const role = get('role').toLowerCase();
    if (role !== 'test' && role !== 'train')
      throw new ValidationError(`${at}: role "${get('role')}" is not test or train`);
    const foldText = get('fold');
    let fold: number | undefined;
    if (role === 'test') {
      if (foldText !== '')
        throw new ValidationError(`${at}: a test row must leave fold empty, got "${foldText}"`);
    } else {
      if (!/^\d+$/.test(foldText))
        throw new ValidationError(`${at}: fold "${foldText}" is not a non-negative integer`);
      fold = Number(foldText);
    }
    const key = `${group ?? '*'}\u0000${patient}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new ValidationError(
        `${at}: patient ${patient}${group ? ` (${group})` : ''} already on line ${previous}`,
      );
    }
    seen.set(key, line);
    rows.push({ group, patient, role, fold });
  }
  const groups: ImportedSplits['groups'] = {};
  for (const row of rows) {
    const g = (groups[row.group ?? '*'] ??= { test: [], folds: [] });
    if (row.role === 'test') g.test.push(row.patient);
    else {
      while (g.folds.length <= row.fold!) g.folds.push([]);
      g.folds[row.fold!]!.push(row.patient);
    }
  }
  for (const [name, g] of Object.entries(groups)) {
    g.test.sort(byId);
    g.folds.forEach((f, k) => {
      if (f.length === 0) throw new ValidationError(`${file}: group ${name} has no patient in fold ${k}`);
      f.sort(byId);
    });
  }
  return { rows, groups };
}
