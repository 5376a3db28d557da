import { deserialize, type FieldKind, fault, parseApiDate } from './model.js';

/** A bound `RemoteFilter` (value fields per SRC-6x: IntValue → StringValue → MultiValue → DateRangeValue). */
export interface Filter {
  PropertyName: string | null;
  IntValue: number | null;
  StringValue: string | null;
  MultiValue: { Values: number[] | null; IsNone: boolean } | null;
  DateRangeValue: { StartDate: string | null; EndDate: string | null; ConsiderTimes: boolean } | null;
}

/** Per-entity hook for special filter values (e.g. incident status "all open"); undefined = not special. */
export type SpecialFilter = (filter: Filter, row: Record<string, unknown>) => boolean | undefined;

const FILTER_FIELDS: Record<string, FieldKind> = {
  PropertyName: 'str',
  IntValue: 'int?',
  StringValue: 'str',
  MultiValue: 'str',
  DateRangeValue: 'str',
};
const MULTI_FIELDS: Record<string, FieldKind> = { Values: 'list', IsNone: 'bool' };
const RANGE_FIELDS: Record<string, FieldKind> = {
  StartDate: 'date?',
  EndDate: 'date?',
  ConsiderTimes: 'bool',
};
const DAY_MS = 86_400_000;
/** IntValue meaning "field is NULL". */
const NULL_VALUE = -999;

function bindFilter(raw: unknown): Filter {
  const source = raw as Record<string, unknown>;
  const flat = deserialize(
    FILTER_FIELDS,
    { ...source, MultiValue: null, DateRangeValue: null },
    'RemoteFilter',
  );
  const key = (name: string) => Object.keys(source ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  const multiKey = key('MultiValue');
  const rangeKey = key('DateRangeValue');
  const multi =
    multiKey && source[multiKey] != null
      ? deserialize(MULTI_FIELDS, source[multiKey], 'MultiValueFilter')
      : null;
  const range =
    rangeKey && source[rangeKey] != null ? deserialize(RANGE_FIELDS, source[rangeKey], 'DateRange') : null;
  if (multi && (multi.Values as unknown[] | null)?.some((v) => !Number.isInteger(v))) {
    throw fault(400, 'Could not convert MultiValue.Values to System.Int32.');
  }
  return {
    ...(flat as unknown as Filter),
    MultiValue: multi as Filter['MultiValue'],
    DateRangeValue: range as Filter['DateRangeValue'],
  };
}

/** Binds a `RemoteFilter[]` body; a duplicate PropertyName fails like SRC-6x's Hashtable.Add (400). */
export function parseFilters(body: unknown): Filter[] {
  if (body === undefined || body === null) return [];
  if (!Array.isArray(body))
    throw fault(400, "Cannot deserialize the current JSON value into type 'List`1[RemoteFilter]'.");
  const filters = body.map(bindFilter);
  const seen = new Set<string | null>();
  for (const f of filters) {
    if (seen.has(f.PropertyName)) {
      const k = f.PropertyName;
      throw fault(400, `Item has already been added. Key in dictionary: '${k}'  Key being added: '${k}'`);
    }
    seen.add(f.PropertyName);
  }
  return filters;
}

function matchesRange(value: unknown, r: NonNullable<Filter['DateRangeValue']>): boolean {
  if (typeof value !== 'string') return false;
  const norm = (ms: number) => (r.ConsiderTimes ? ms : Math.floor(ms / DAY_MS));
  const v = norm(Date.parse(value));
  if (r.StartDate !== null && v < norm(Date.parse(r.StartDate))) return false;
  return !(r.EndDate !== null && v > norm(Date.parse(r.EndDate)));
}

function matchesString(name: string, row: Record<string, unknown>, text: string): boolean {
  const lower = text.toLowerCase();
  if (name === 'Name') {
    // Spira's Name filter is a keyword search over name and description.
    const hay = `${row.Name ?? ''} ${row.Description ?? ''}`.toLowerCase();
    return lower.split(/\s+/).every((word) => hay.includes(word));
  }
  const v = row[name];
  return typeof v === 'string' && v.toLowerCase().includes(lower);
}

function matchesOne(f: Filter, row: Record<string, unknown>, special?: SpecialFilter): boolean {
  const name = f.PropertyName as string;
  const hit = special?.(f, row);
  if (hit !== undefined) return hit;
  const value = row[name];
  if (f.IntValue !== null) return f.IntValue === NULL_VALUE ? value === null : value === f.IntValue;
  if (f.StringValue !== null && f.StringValue !== '') return matchesString(name, row, f.StringValue);
  if (f.MultiValue) {
    if (f.MultiValue.IsNone) return value === null;
    return (f.MultiValue.Values ?? []).includes(value as number);
  }
  if (f.DateRangeValue) return matchesRange(value, f.DateRangeValue);
  return true;
}

/** Applies the filters (ANDed). Unknown property names are ignored, as reported for the real service. */
export function applyFilters(
  rows: Record<string, unknown>[],
  filters: Filter[],
  known: readonly string[],
  special?: SpecialFilter,
): Record<string, unknown>[] {
  const active = filters.filter((f) => f.PropertyName !== null && known.includes(f.PropertyName));
  return rows.filter((row) => active.every((f) => matchesOne(f, row, special)));
}

/** Converts a required integer query parameter (406 like RestUtils.ConvertToInt32). */
export function intParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\s*[-+]?\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw fault(406, `The passed in '${name}' needs to be an integer`);
  }
  return Number(value);
}

/** Converts an optional boolean query parameter (406 when present and not a boolean). */
export function boolParam(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw fault(406, `The passed in '${name}' needs to be a boolean`);
}

/** Converts a required query-string date in the exact `yyyy-MM-ddTHH:mm:ss.fff` format (406 otherwise). */
export function dateParam(value: string | undefined, name: string): number {
  const ms =
    value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/.test(value) ? parseApiDate(value) : undefined;
  if (ms === undefined)
    throw fault(406, `The passed in '${name}' needs to be a DateTime in the format: yyyy-MM-ddTHH:mm:ss.fff`);
  return ms;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1; // SQL sorts NULL first in ascending order
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const da = parseApiDate(a);
    const db = parseApiDate(b);
    if (da !== undefined && db !== undefined) return da - db;
    return a.localeCompare(b, 'en', { sensitivity: 'base' });
  }
  return (a as number) < (b as number) ? -1 : 1;
}

/** Sorts ascending by a property, ties broken by the id property. */
export function sortRows<T extends Record<string, unknown>>(rows: T[], sortBy: string, idField: string): T[] {
  return [...rows].sort(
    (a, b) => compareValues(a[sortBy], b[sortBy]) || (a[idField] as number) - (b[idField] as number),
  );
}

/** One page: `startRow` is 1-based; past the end gives `[]`. */
export function pageRows<T>(rows: T[], startRow: number, numberRows: number): T[] {
  if (numberRows < 1) return [];
  const from = Math.max(startRow, 1) - 1;
  return rows.slice(from, from + numberRows);
}
