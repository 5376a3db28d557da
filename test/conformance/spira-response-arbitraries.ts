/**
 * fast-check arbitraries for Spira response bodies, built from the RemoteXxx component schemas of the
 * official v7.0 OpenAPI file, the way a real Spira can fill them (docs/spira-api.md §0a.3):
 * - every string (a .NET reference type) may be null, and one body in every few has all of them null;
 * - any property may be missing; unknown properties are added;
 * - integers and numbers include their limits (Int32 min/max, 0, ±1; ±Number.MAX_VALUE, -0);
 * - `nullable` value types (`int?`, `DateTime?`) may be null; plain value types never are (C# has no null
 *   int), and date-times come in the forms Spira writes or accepts: ms with `Z`, no ms, no zone,
 *   an offset, DateTime.MinValue and MaxValue.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  description?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
}

const REF = '#/components/schemas/';
const INT_LIMITS = [-2_147_483_648, 2_147_483_647, 0, -1, 1];
const NUMBER_LIMITS = [Number.MAX_VALUE, -Number.MAX_VALUE, 0, -0, Number.MIN_VALUE, 1.5];
const DATES = [
  '2023-05-16T17:09:14.620Z',
  '2023-05-16T17:09:14Z',
  '2023-05-16T17:09:14.620',
  '2023-05-16T17:09:14',
  '2023-05-16T19:09:14.620+02:00',
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
];
/** Property names no Spira schema has (unknown fields a later Spira may add). */
const UNKNOWN_KEY = fc.stringMatching(/^X[A-Za-z]{1,8}$/);
const UNKNOWN_VALUE = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

/** Which strings a body holds: random ones (each may be null), or every one null. */
type Mode = 'random' | 'null-strings';

/** Nested objects (a history row's change set, whose changes hold rows again) end here: null. */
const MAX_DEPTH = 2;

export class SpiraBodies {
  private readonly schemas: Record<string, Schema>;

  constructor(specPath: string) {
    const document = JSON.parse(readFileSync(specPath, 'utf8')) as {
      components: { schemas: Record<string, Schema> };
    };
    this.schemas = document.components.schemas;
  }

  /** Property names of a component (to tell read fields from the rest). */
  properties(name: string): string[] {
    return Object.keys(this.component(name).properties ?? {});
  }

  /** One body of component `name`. */
  object(name: string): fc.Arbitrary<Record<string, unknown>> {
    return fc
      .constantFrom<Mode>('random', 'random', 'random', 'null-strings')
      .chain((mode) => this.objectOf(this.component(name), mode, 0));
  }

  /** A list body of component `name` (0 to 4 elements). */
  list(name: string): fc.Arbitrary<Record<string, unknown>[]> {
    return fc.array(this.object(name), { maxLength: 4 });
  }

  /** A date-time body (`system/settings/server-date-time`). */
  date(): fc.Arbitrary<string> {
    return fc.constantFrom(...DATES);
  }

  private component(name: string): Schema {
    const schema = this.schemas[name];
    if (!schema) throw new Error(`no component schema ${name} in the OpenAPI file`);
    return schema;
  }

  private objectOf(schema: Schema, mode: Mode, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const entries = Object.entries(schema.properties ?? {}).map(
      ([key, property]) => [key, this.valueOf(property, mode, depth)] as const,
    );
    const known = fc.record(Object.fromEntries(entries), { requiredKeys: [] });
    const unknown = fc.dictionary(UNKNOWN_KEY, UNKNOWN_VALUE, { maxKeys: 3 });
    // Most bodies keep most fields: drop each with probability ~1/6 rather than half of them.
    const full = fc.record(Object.fromEntries(entries));
    return fc
      .tuple(fc.oneof({ arbitrary: full, weight: 3 }, { arbitrary: known, weight: 1 }), unknown)
      .map(([fields, extra]) => ({ ...extra, ...fields }));
  }

  private valueOf(schema: Schema, mode: Mode, depth: number): fc.Arbitrary<unknown> {
    if (schema.$ref) return this.nullableRef(schema.$ref.slice(REF.length), mode, depth);
    // The converter lost the type of nested objects; their description names it.
    const named = /Schema: (Remote\w+)/.exec(schema.description ?? '')?.[1];
    if (schema.type === 'object' && named && this.schemas[named]) return this.nullableRef(named, mode, depth);
    // A `nullable` value type is null in about one body in five (ids are rarely null in real answers).
    const orNull = (arb: fc.Arbitrary<unknown>) =>
      schema.nullable
        ? fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 })
        : arb;
    switch (schema.type) {
      case 'string':
        if (schema.format === 'date-time') return orNull(fc.constantFrom(...DATES));
        // A .NET string: a reference type, always nullable.
        return mode === 'null-strings' ? fc.constant(null) : fc.oneof(fc.string(), fc.constant(null));
      case 'integer':
        return orNull(fc.oneof(fc.constantFrom(...INT_LIMITS), fc.integer()));
      case 'number':
        return orNull(
          fc.oneof(fc.constantFrom(...NUMBER_LIMITS), fc.double({ noNaN: true, noDefaultInfinity: true })),
        );
      case 'boolean':
        return orNull(fc.boolean());
      case 'array': {
        const items = schema.items ? this.valueOf(schema.items, mode, depth) : UNKNOWN_VALUE;
        return fc.oneof(fc.array(items, { maxLength: 3 }), fc.constant(null));
      }
      default:
        // Opaque objects (RemoteArtifactCustomProperty, DateRange…): anything, or null.
        return fc.oneof(fc.dictionary(UNKNOWN_KEY, UNKNOWN_VALUE, { maxKeys: 3 }), fc.constant(null));
    }
  }

  private nullableRef(name: string, mode: Mode, depth: number): fc.Arbitrary<unknown> {
    const schema = this.component(name);
    if (!schema.properties || depth >= MAX_DEPTH) return fc.constant(null);
    return fc.oneof(
      { arbitrary: this.objectOf(schema, mode, depth + 1), weight: 4 },
      { arbitrary: fc.constant(null), weight: 1 },
    );
  }
}
