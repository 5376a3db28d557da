import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Mutations of GitLab's documented payloads (../shared/fixtures/gitlab-docs): null a field, drop it, add an
 * unknown key, or put a value GitLab may add one day into an enum-like field. A path is dotted, with `[]` for
 * any element of an array (`assignees.[].username`, `[].author.id` for an element of a list).
 */
export interface Mutation {
  op: 'null' | 'drop' | 'unknown-key' | 'unknown-enum';
  /** Concrete path, array indices included. */
  at: (string | number)[];
  value?: unknown;
}

/** Keys whose values GitLab draws from a set that grows over time (gitlab-api.md §0a.5). */
const ENUM_KEYS = new Set([
  'object_kind',
  'event_type',
  'action',
  'state',
  'type',
  'noteable_type',
  'severity',
  'issue_type',
  'visibility',
  'health_status',
  'escalation_status',
  'resource_type',
]);

type Json = unknown;

/** Every path in a JSON value (objects and arrays included), with its value. */
export function pathsOf(
  value: Json,
  at: (string | number)[] = [],
): { at: (string | number)[]; value: Json }[] {
  const here = at.length ? [{ at, value }] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value !== null && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return here;
}

/** The generic form of a concrete path: indices become `[]`. */
export function genericPath(at: (string | number)[]): string {
  return at.map((p) => (typeof p === 'number' ? '[]' : p)).join('.');
}

/**
 * The paths a zod schema reads (every key of every object it declares), in the generic form; `prefix` is
 * where the schema sits (`[]` for the elements of a list).
 */
export function readPathsOf(schema: z.ZodType, prefix = ''): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: zod's internal definition, walked generically
  const def = (schema as any)._zod.def;
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, inner]) => [
        join(key),
        ...readPathsOf(inner, join(key)),
      ]);
    case 'array':
      return readPathsOf(def.element, join('[]'));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'catch':
      return readPathsOf(def.innerType, prefix);
    case 'pipe':
      return readPathsOf(def.in, prefix);
    default:
      return [];
  }
}

/**
 * Whether a mutation can change what the code reads: it replaces or removes a read field or one of its
 * parents, or changes something inside a read leaf (an element of `labels`). Adding a key never does.
 */
export function touchesRead(m: Mutation, read: readonly string[]): boolean {
  if (m.op === 'unknown-key') return false;
  const path = genericPath(m.at);
  const leaves = read.filter((r) => !read.some((o) => o.startsWith(`${r}.`)));
  return (
    read.some((r) => r === path || r.startsWith(`${path}.`)) || leaves.some((r) => path.startsWith(`${r}.`))
  );
}

const unknownValue = fc.oneof(
  fc.constantFrom('work_item', 'approved', 'unapproval', 'locked', 'archived', 'Epic', 'TestCase', ''),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** One to four mutations of a payload (drawn from the payload's own paths). */
export function mutationsArb(payload: Json): fc.Arbitrary<Mutation[]> {
  const all = pathsOf(payload);
  const objects = [
    { at: [] as (string | number)[], value: payload },
    ...all.filter((p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value)),
  ].filter((p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value));
  const enums = all.filter((p) => typeof p.value === 'string' && ENUM_KEYS.has(String(p.at.at(-1))));
  const byPath = fc.constantFrom(...all.map((p) => p.at));
  const options: fc.Arbitrary<Mutation>[] = [
    byPath.map((at) => ({ op: 'null' as const, at })),
    byPath.filter((at) => typeof at.at(-1) === 'string').map((at) => ({ op: 'drop' as const, at })),
    fc
      .tuple(
        fc.constantFrom(...objects.map((o) => o.at)),
        fc.string({ maxLength: 8 }),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([at, key, value]) => ({ op: 'unknown-key' as const, at: [...at, `x_${key}`], value })),
  ];
  if (enums.length > 0)
    options.push(
      fc
        .tuple(fc.constantFrom(...enums.map((e) => e.at)), unknownValue)
        .map(([at, value]) => ({ op: 'unknown-enum' as const, at, value })),
    );
  return fc.array(fc.oneof(...options), { minLength: 1, maxLength: 4 });
}

/** Applies mutations to a copy of the payload (a path whose parent has gone is skipped). */
export function applied(payload: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(payload);
  for (const m of mutations) {
    // biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON
    let node: any = copy;
    for (const part of m.at.slice(0, -1)) {
      node = node?.[part];
      if (node === null || typeof node !== 'object') break;
    }
    if (node === null || typeof node !== 'object') continue;
    const last = m.at.at(-1) as string | number;
    if (m.op === 'drop') delete node[last];
    else if (m.op === 'null') node[last] = null;
    else node[last] = m.value;
  }
  return copy;
}
