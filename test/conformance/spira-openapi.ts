/**
 * Conformance checker: validates recorded Spira REST v7.0 requests against Inflectra's official
 * OpenAPI 3.0 file. The file was machine-converted from WCF service contracts; its quirks are handled
 * on purpose here (see /work/shared/docs/spira-api.md §1 and §7):
 *
 * - query parameters appear both as `in: path` and `in: query`; every parameter that is not a
 *   `{variable}` of the path template counts as a query parameter;
 * - parameter names are WCF template *variable* names; where the real query key differs
 *   (`search-by-ids?ids={incident_ids}`) the real key is declared instead ({@link QUERY_KEY_ALIASES});
 * - .NET primitives used as bodies (`String`, `DateTime`, `Int32`…) were converted as objects listing
 *   the struct's static members; they are checked as the JSON primitive they really are;
 * - `nullable` is only emitted for `Nullable<T>` value types, so null is accepted for .NET reference
 *   types (plain strings, arrays, objects) and rejected for plain integers, booleans and date-times;
 * - `type: object` schemas without properties (DateRange, MultiValueFilter,
 *   RemoteArtifactCustomProperty) are opaque and accept anything.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One HTTP request the Spira client sent, as recorded by the fake Spira server. */
export interface SpiraRequestRecord {
  method: string;
  /** Relative to `…/Services/v7_0/RestService.svc/`, e.g. `projects/1/incidents/search` (no leading slash, no query). */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** One way a request deviates from the OpenAPI description. */
export interface ConformanceProblem {
  /** `METHOD path?query`, to find the offending call. */
  request: string;
  /** Human-readable, naming the field path, e.g. `body[0].Text: expected string, got number`. */
  problem: string;
}

/** A loaded OpenAPI description that checks requests. */
export interface SpiraSpec {
  /**
   * Returns [] when method+path match an operation, every query key is a declared parameter of it, and
   * the body (if any) validates against its requestBody schema; otherwise human-readable problems naming
   * the field path (e.g. "body[0].Text: expected string, got number"; "body.Foo: property not in RemoteIncident").
   */
  check(req: SpiraRequestRecord): ConformanceProblem[];
  /** Operation count, for sanity tests. */
  readonly operationCount: number;
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}

interface Parameter {
  name: string;
  in: string;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
}

interface CompiledOperation {
  /** `POST /projects/{project_id}/incidents/search`. */
  label: string;
  /** Accepted query keys → their parameter. */
  query: Map<string, Parameter>;
  body?: Schema;
  bodyRequired: boolean;
}

interface Route {
  template: string;
  matchers: RegExp[];
  /** One letter per segment: a = literal, b = mixed (`tokens{token}`), c = `{variable}`; lower ranks win. */
  rank: string;
  operations: Map<string, CompiledOperation>;
}

const INCIDENT_WORKFLOW =
  '/project-templates/{project_template_id}/incidents/types/{incident_type_id}/workflow';

/** WCF query keys that differ from their template variable (UriTemplates unchanged from v4_0 to v6_0). */
const QUERY_KEY_ALIASES: Record<string, Record<string, string>> = {
  '/projects/{project_id}/incidents/search-by-ids': { incident_ids: 'ids' },
  [`${INCIDENT_WORKFLOW}/fields`]: { incident_status_id: 'status_id' },
  [`${INCIDENT_WORKFLOW}/custom-properties`]: { incident_status_id: 'status_id' },
};

/** What the converter's .NET struct schemas really are on the wire. */
const DOTNET_PRIMITIVES: Record<string, Schema> = {
  String: { type: 'string' },
  DateTime: { type: 'string', format: 'date-time' },
  Boolean: { type: 'boolean' },
  Byte: { type: 'integer' },
  Int32: { type: 'integer' },
  Int64: { type: 'integer' },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const REF_PREFIX = '#/components/schemas/';
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$/;

const loaded = new Map<string, SpiraSpec>();

/** Loads the spec (path argument) once and returns a checker. */
export function loadSpiraSpec(specPath: string): SpiraSpec {
  const key = resolve(specPath);
  let spec = loaded.get(key);
  if (!spec) {
    spec = new OpenApiSpiraSpec(JSON.parse(readFileSync(key, 'utf8')) as OpenApiDocument);
    loaded.set(key, spec);
  }
  return spec;
}

class OpenApiSpiraSpec implements SpiraSpec {
  readonly operationCount: number;
  private readonly routes: Route[];
  private readonly schemas: Record<string, Schema>;

  constructor(document: OpenApiDocument) {
    this.schemas = document.components?.schemas ?? {};
    this.routes = Object.entries(document.paths).map(([template, item]) => compileRoute(template, item));
    this.operationCount = this.routes.reduce((sum, route) => sum + route.operations.size, 0);
  }

  check(req: SpiraRequestRecord): ConformanceProblem[] {
    const request = describeRequest(req);
    return this.problemsOf(req).map((problem) => ({ request, problem }));
  }

  private problemsOf(req: SpiraRequestRecord): string[] {
    const operation = this.findOperation(req.method, req.path);
    if (typeof operation === 'string') return [operation];
    const validator = new BodyValidator(this.schemas);
    validator.checkBody(operation, req.body);
    return [...queryProblems(operation, req.query), ...validator.problems];
  }

  /** The operation for method+path, or a problem when there is none. */
  private findOperation(method: string, path: string): CompiledOperation | string {
    const segments = path.replace(/^\/+|\/+$/g, '').split('/');
    const matching = this.routes.filter(
      (route) =>
        route.matchers.length === segments.length &&
        route.matchers.every((matcher, i) => matcher.test(segments[i] ?? '')),
    );
    if (matching.length === 0) return `path: no operation matches '${path}'`;
    // Literal segments beat templated ones (`incidents/search` over `incidents/{incident_id}`); routes
    // of equal rank (`…/transitions/{incident_status_id}` vs `…/{workflow_transition_id}`) share methods.
    const bestRank = matching.map((route) => route.rank).sort()[0];
    const best = matching.filter((route) => route.rank === bestRank);
    for (const route of best) {
      const operation = route.operations.get(method.toLowerCase());
      if (operation) return operation;
    }
    const allowed = best.flatMap((route) => [...route.operations.keys()].map((m) => m.toUpperCase()));
    const templates = best.map((route) => route.template).join(' | ');
    return `method: ${method.toUpperCase()} not allowed on ${templates} (allowed: ${allowed.join(', ')})`;
  }
}

function compileRoute(template: string, item: Record<string, unknown>): Route {
  const segments = template.split('/').filter((segment) => segment !== '');
  const variables = new Set([...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? ''));
  const aliases = QUERY_KEY_ALIASES[template] ?? {};
  const operations = new Map<string, CompiledOperation>();
  for (const method of HTTP_METHODS) {
    const operation = item[method] as Operation | undefined;
    if (!operation) continue;
    const query = new Map<string, Parameter>();
    for (const parameter of operation.parameters ?? []) {
      // The converter lists query parameters as `in: path` too; only template variables are path params.
      if (parameter.in === 'query' || (parameter.in === 'path' && !variables.has(parameter.name))) {
        query.set(aliases[parameter.name] ?? parameter.name, parameter);
      }
    }
    const body = operation.requestBody;
    const label = `${method.toUpperCase()} ${template}`;
    const schema = body?.content?.['application/json']?.schema;
    operations.set(method, { label, query, body: schema, bodyRequired: body?.required === true });
  }
  return {
    template,
    matchers: segments.map(segmentMatcher),
    rank: segments.map(rankOf).join(''),
    operations,
  };
}

function segmentMatcher(segment: string): RegExp {
  const parts = segment.split(/(\{[^}]+\})/).filter((part) => part !== '');
  const source = parts.map((part) =>
    part.startsWith('{') ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`^${source.join('')}$`);
}

function rankOf(segment: string): string {
  if (!segment.includes('{')) return 'a';
  return /^\{[^}]+\}$/.test(segment) ? 'c' : 'b';
}

function queryProblems(operation: CompiledOperation, query: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const parameter = operation.query.get(key);
    if (!parameter) {
      const declared = [...operation.query.keys()].join(', ') || 'none';
      problems.push(`query.${key}: not a declared parameter of ${operation.label} (declared: ${declared})`);
    } else if (parameter.schema?.type === 'boolean' && !/^(true|false)$/i.test(value)) {
      problems.push(`query.${key}: expected boolean, got '${value}'`);
    }
  }
  return problems;
}

function describeRequest(req: SpiraRequestRecord): string {
  const query = new URLSearchParams(req.query).toString();
  return `${req.method.toUpperCase()} ${req.path}${query ? `?${query}` : ''}`;
}

/** Collects schema problems of one request body. */
class BodyValidator {
  readonly problems: string[] = [];

  constructor(private readonly schemas: Record<string, Schema>) {}

  checkBody(operation: CompiledOperation, body: unknown): void {
    const absent = body === undefined || body === null || body === '';
    if (!operation.body) {
      if (!absent) this.problems.push(`body: ${operation.label} takes no request body`);
    } else if (absent) {
      if (operation.bodyRequired) this.problems.push(`body: missing (required by ${operation.label})`);
    } else {
      this.validate(operation.body, body, 'body');
    }
  }

  private validate(input: Schema, value: unknown, at: string): void {
    const { schema, name } = this.resolve(input);
    if (isOpaque(schema)) return;
    const expected = schema.type ?? 'object';
    const described = schema.format ? `${expected} (${schema.format})` : expected;
    if (value === null) {
      if (!acceptsNull(schema)) this.problems.push(`${at}: expected ${described}, got null`);
      return;
    }
    if (!(TYPE_CHECKS[expected]?.(value) ?? true)) {
      this.problems.push(`${at}: expected ${described}, got ${typeOf(value)}`);
      return;
    }
    if (schema.enum && !schema.enum.includes(value)) {
      this.problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (schema.format === 'date-time' && !isDateTime(value as string)) {
      this.problems.push(`${at}: expected date-time, got '${String(value)}'`);
    }
    if (Array.isArray(value)) {
      const items = schema.items;
      if (items) for (const [i, item] of value.entries()) this.validate(items, item, `${at}[${i}]`);
    } else if (expected === 'object') {
      this.validateObject(schema, name, value as Record<string, unknown>, at);
    }
  }

  private validateObject(schema: Schema, name: string, value: Record<string, unknown>, at: string): void {
    const properties = schema.properties ?? {};
    const extra = schema.additionalProperties;
    for (const [key, propertyValue] of Object.entries(value)) {
      if (propertyValue === undefined) continue; // dropped by JSON.stringify, never on the wire
      const property = properties[key] ?? (typeof extra === 'object' ? extra : undefined);
      if (property) this.validate(property, propertyValue, `${at}.${key}`);
      else if (extra !== true) this.problems.push(`${at}.${key}: property not in ${name}`);
    }
  }

  private resolve(schema: Schema): { schema: Schema; name: string } {
    let current = schema;
    let name = 'inline schema';
    for (let hops = 0; current.$ref !== undefined; hops++) {
      if (!current.$ref.startsWith(REF_PREFIX) || hops > 16) {
        throw new Error(`unsupported $ref ${current.$ref}`);
      }
      name = current.$ref.slice(REF_PREFIX.length);
      const target = DOTNET_PRIMITIVES[name] ?? this.schemas[name];
      if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
      current = target;
    }
    return { schema: current, name };
  }
}

/** Schemas that say nothing checkable (`{}`, or an object without properties) accept anything. */
function isOpaque(schema: Schema): boolean {
  const constrained = schema.enum ?? schema.items ?? schema.properties ?? schema.additionalProperties;
  return constrained === undefined && (schema.type === undefined || schema.type === 'object');
}

/** Value types carry `nullable`; .NET reference types (strings, arrays, objects) may always be null. */
function acceptsNull(schema: Schema): boolean {
  if (schema.nullable === true) return true;
  if (schema.type === 'string') return schema.format === undefined;
  return schema.type === 'array' || schema.type === 'object' || schema.type === undefined;
}

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  object: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  array: (value) => Array.isArray(value),
  integer: (value) => Number.isInteger(value),
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  string: (value) => typeof value === 'string',
  boolean: (value) => typeof value === 'boolean',
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** ISO 8601 date-time (zone optional, as WCF accepts) that is a real calendar date. */
function isDateTime(value: string): boolean {
  const match = ISO_DATE_TIME.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
