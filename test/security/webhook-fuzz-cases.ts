import { createHash } from 'node:crypto';
import fc from 'fast-check';

/** How a case reaches the receiver: the handler with an API Gateway event, or the local HTTP endpoint. */
export type FuzzMode = 'handler' | 'http';

/**
 * What CONTRACT §3 says about a JSON body, once the request is authenticated and its event recognised: queued,
 * not for us (2xx), or for our project but lacking a field the sync needs (2xx, the field named and recorded).
 */
export type BodyExpectation =
  | { kind: 'valid' }
  | { kind: 'ignored' }
  | { kind: 'unusable'; field: string }
  | { kind: 'ignored-or-unusable' };

/** A real delivery captured from the GitLab stand-in, to be mutated. */
export interface Seed {
  kind: 'issue' | 'note' | 'milestone';
  event: string;
  body: Record<string, unknown>;
}

/** One fuzzed request and what its body should get (the headers decide the rest, see {@link expectedAnswer}). */
export interface FuzzCase {
  label: string;
  headers: Record<string, string>;
  body: string;
  base64: boolean;
  bodyExpectation: BodyExpectation;
  /** The kind of the seed a mutated payload came from (its expectation holds under that kind's events only). */
  seedKind?: Seed['kind'];
}

/** Everything the oracle needs to know about the deployment under test. */
export interface FuzzWorld {
  secret: string;
  /** `path_with_namespace` of the configured project, as GitLab sends it. */
  projectPath: string;
  seeds: Seed[];
}

export const RECOGNISED = [
  'Issue Hook',
  'Confidential Issue Hook',
  'Note Hook',
  'Confidential Note Hook',
  'Milestone Hook',
];
const OTHER_EVENTS = [
  'Push Hook',
  'Tag Push Hook',
  'Merge Request Hook',
  'Wiki Page Hook',
  'Pipeline Hook',
  'Job Hook',
  'Deployment Hook',
  'Release Hook',
  'Emoji Hook',
  'Member Hook',
  'System Hook',
  'Resource Access Token Hook',
  'issue hook',
  'ISSUE HOOK',
  'Issue  Hook',
  'Issue Hook ',
  'Note',
];
const EVENT_OF: Record<Seed['kind'], string[]> = {
  issue: ['Issue Hook', 'Confidential Issue Hook'],
  note: ['Note Hook', 'Confidential Note Hook'],
  milestone: ['Milestone Hook'],
};

/** Marks a field to delete instead of set. */
const REMOVE = { remove: true } as const;
type Value = unknown;

type FieldType = 'int' | 'object' | 'timestamp' | 'optional-bool';

/**
 * The fields the sync reads per hook kind (webhook-schemas.ts): a wrong value there makes a delivery for our
 * project unusable (2xx, recorded, the field named). Routing fields (`object_kind`, `object_attributes.type`,
 * a note's `noteable_type`, `project`) are fuzzed separately in {@link breakingArb}.
 */
const FIELDS: Record<Seed['kind'], [string, FieldType][]> = {
  issue: [
    ['project.id', 'int'],
    ['object_attributes', 'object'],
    ['object_attributes.iid', 'int'],
    ['object_attributes.updated_at', 'timestamp'],
  ],
  note: [
    ['project.id', 'int'],
    ['object_attributes.id', 'int'],
    ['object_attributes.system', 'optional-bool'],
    ['object_attributes.updated_at', 'timestamp'],
    ['issue', 'object'],
    ['issue.iid', 'int'],
  ],
  milestone: [
    ['project.id', 'int'],
    ['object_attributes', 'object'],
    ['object_attributes.id', 'int'],
    ['object_attributes.updated_at', 'timestamp'],
  ],
};

/**
 * Fields GitLab sends that the sync does not read (some were required, or closed enums, before issue 11):
 * any value, null or none at all keeps the delivery usable (audit #10).
 */
const UNREAD_FIELDS: Record<Seed['kind'], string[]> = {
  issue: [
    'event_type',
    'user',
    'user.id',
    'user.username',
    'user.name',
    'project.web_url',
    'project.name',
    'object_attributes.id',
    'object_attributes.title',
    'object_attributes.state',
    'object_attributes.action',
    'object_attributes.created_at',
    'object_attributes.description',
    'labels',
    'changes',
  ],
  note: [
    'event_type',
    'user',
    'user.id',
    'user.username',
    'project.web_url',
    'project_id',
    'object_attributes.note',
    'object_attributes.action',
    'object_attributes.created_at',
    'object_attributes.type',
    'issue.id',
    'issue.title',
    'issue.state',
  ],
  milestone: [
    'event_type',
    'action',
    'project.web_url',
    'object_attributes.iid',
    'object_attributes.title',
    'object_attributes.state',
    'object_attributes.created_at',
    'object_attributes.group_id',
  ],
};

/** Free-text fields: any string (unicode, huge, control characters) is still GitLab's shape. */
const TEXT_FIELDS: Record<Seed['kind'], string[]> = {
  issue: ['object_attributes.title', 'object_attributes.description', 'user.name', 'user.username'],
  note: ['object_attributes.note', 'issue.title', 'issue.description', 'user.name', 'user.username'],
  milestone: ['object_attributes.title', 'object_attributes.description'],
};

/** Text of every kind: printable, any code point, control characters, and now and then something huge. */
export function textArb(mode: FuzzMode): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '"', '\\', '\u202e', '</script>'), fc.nat(300_000))
        .map(([unit, n]) => unit.repeat(n)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/close\n/label ~x',
        '@all @fred',
        '<img src=x onerror=alert(1)>',
        "'; DROP TABLE x; --",
        '$' + '{process.env}',
        mode === 'http' ? 'ok' : '\ud800',
        '\u0000\u0001\u001f',
        '{{7*7}}',
      ),
    },
  );
}

/**
 * A header value that can travel over HTTP (printable ASCII; Node's 16 KB header limit) or, to the handler, any
 * text; now and then a long one.
 */
function headerText(mode: FuzzMode, maxLength = 40): fc.Arbitrary<string> {
  const text =
    mode === 'http'
      ? fc.string({ unit: 'grapheme-ascii', maxLength })
      : fc.string({ unit: 'binary', maxLength });
  const long = fc
    .tuple(
      pick(mode === 'http' ? ['a', '%', '"'] : ['a', 'é', '😀', '\u0000']),
      fc.nat(mode === 'http' ? 2_000 : 8_000),
    )
    .map(([unit, n]) => unit.repeat(n));
  return fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: long });
}

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

/** A value of the wrong type (or none at all) for a field of this type. */
function wrongValue(type: FieldType): fc.Arbitrary<Value> {
  const notInt = pick<Value>(['7', '', 1.5, -0.25, true, null, {}, [], 'NaN', 0, -3]);
  switch (type) {
    case 'int':
      return fc.oneof(notInt, fc.constant(REMOVE), fc.double({ noInteger: true }));
    case 'object':
      return fc.oneof(pick<Value>(['x', 1, true, null, [], [{}]]), fc.constant(REMOVE));
    case 'timestamp':
      return fc.oneof(
        pick<Value>([
          'yesterday',
          '',
          '2026-13-45 99:99:99 UTC',
          '2026-11-25',
          '25/11/2026 01:02:03',
          '2026-11-25 01:02:03',
          1764032523,
          null,
          REMOVE,
        ]),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).map((s) => `x${s}`),
      );
    case 'optional-bool':
      return pick<Value>(['true', 1, 0, 'yes', {}]);
  }
}

/** One change that must make the receiver answer per `expect`. */
interface Breaking {
  path: string;
  value: Value;
  expect: BodyExpectation;
}

const unusable = (field: string): BodyExpectation => ({ kind: 'unusable', field });

function breakingArb(seed: Seed): fc.Arbitrary<Breaking> {
  const typed = FIELDS[seed.kind].map(([path, type]) =>
    wrongValue(type).map((value) => ({ path, value, expect: unusable(path) })),
  );
  const otherKind = fc
    .oneof(pick(['merge_request', 'work_item', 'push', 'Issue', 'note', 'milestone', 'issue']), fc.string())
    .filter((kind) => kind !== seed.kind);
  const routing: fc.Arbitrary<Breaking>[] = [
    // "Is it our project" comes first: without a readable project path (or a group's null) it is not for us.
    pick<Value>([null, 'x', 1, [], REMOVE]).map((value) => ({
      path: 'project',
      value,
      expect: { kind: 'ignored' },
    })),
    pick<Value>([null, 7, {}, REMOVE]).map((value) => ({
      path: 'project.path_with_namespace',
      value,
      expect: { kind: 'ignored' },
    })),
  ];
  if (seed.kind === 'issue') {
    // Issue Hooks route on `object_attributes.type` (present since 17.2): object_kind then does not matter.
    routing.push(
      fc.oneof(otherKind, pick<Value>([1, null, true, {}, REMOVE])).map((value) => ({
        path: 'object_kind',
        value,
        expect: { kind: 'valid' },
      })),
      pick<Value>([7, true, {}]).map((value) => ({
        path: 'object_attributes.type',
        value,
        expect: unusable('object_attributes.type'),
      })),
      pick<Value>([null, REMOVE]).map((value) => ({
        path: 'object_attributes.type',
        value,
        expect: { kind: 'valid' },
      })),
      pick(['Incident', 'Task', 'TestCase', 'Requirement', 'Epic', 'issue', '']).map((value) => ({
        path: 'object_attributes.type',
        value,
        expect: { kind: 'ignored' },
      })),
    );
  } else {
    routing.push(
      pick<Value>([1, null, true, {}, [], REMOVE]).map((value) => ({
        path: 'object_kind',
        value,
        expect: unusable('object_kind'),
      })),
      otherKind.map((value) => ({ path: 'object_kind', value, expect: { kind: 'ignored' } })),
    );
  }
  if (seed.kind === 'note') {
    routing.push(
      pick<Value>(['x', 1, null, [], true, REMOVE]).map((value) => ({
        path: 'object_attributes',
        value,
        expect: unusable('object_attributes.noteable_type'),
      })),
      pick<Value>([1, true, null, {}, [], REMOVE]).map((value) => ({
        path: 'object_attributes.noteable_type',
        value,
        expect: unusable('object_attributes.noteable_type'),
      })),
      pick<Value>(['MergeRequest', 'Commit', 'Snippet', 'issue', 'WorkItem', 'Epic']).map((value) => ({
        path: 'object_attributes.noteable_type',
        value,
        expect: { kind: 'ignored' },
      })),
      fc.constant({ path: 'object_attributes.system', value: true, expect: { kind: 'ignored' } }),
      pick<Value>([false, null, REMOVE]).map((value) => ({
        path: 'object_attributes.system',
        value,
        expect: { kind: 'valid' },
      })),
    );
  }
  return fc.oneof(...typed, ...routing);
}

/** Changes that keep the body in GitLab's shape: any text in free-text fields, unknown keys, other ids. */
function benignArb(seed: Seed, mode: FuzzMode): fc.Arbitrary<{ path: string; value: Value }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ path: pick(TEXT_FIELDS[seed.kind]), value: textArb(mode) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        path: fc
          .tuple(pick(['', 'object_attributes.', 'project.', 'user.']), fc.string({ maxLength: 10 }))
          .map(([parent, key]) => `${parent}x_${key.replaceAll('.', '_')}`),
        value: fc.jsonValue({ maxDepth: 3 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        path: pick(['labels', 'changes', 'assignees', 'repository']),
        value: fc.jsonValue({ maxDepth: 3 }),
      }),
    },
    {
      // Unread fields: anything, null, gone, or a value GitLab may add one day.
      weight: 3,
      arbitrary: fc.record({
        path: pick(UNREAD_FIELDS[seed.kind]),
        value: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          pick<Value>([null, REMOVE, 'approved', 'unapproval', 'locked', 'archived', 'work_item']),
        ),
      }),
    },
  );
}

/** A real delivery, mutated: benign changes, maybe one change that breaks it, maybe another project. */
function mutatedPayloadArb(world: FuzzWorld, mode: FuzzMode): fc.Arbitrary<FuzzCase> {
  return pick(world.seeds).chain((seed) =>
    fc
      .record({
        event: pick(EVENT_OF[seed.kind]),
        benign: fc.array(benignArb(seed, mode), { maxLength: 4 }),
        breaking: fc.option(breakingArb(seed), { freq: 2 }),
        project: fc.option(
          fc.oneof(
            fc.string({ maxLength: 30 }).map((s) => `other/${s}`),
            pick([world.projectPath.toUpperCase(), world.projectPath.split('/').pop() as string]),
          ),
          { freq: 4 },
        ),
      })
      .chain(({ event, benign, breaking, project }) => {
        const body = structuredClone(seed.body);
        for (const change of benign) setPath(body, change.path, change.value);
        const otherProject = project !== null && !configured(world, project);
        if (project !== null) setPath(body, 'project.path_with_namespace', project);
        if (breaking) setPath(body, breaking.path, breaking.value);
        // The project is decided first: another project's delivery is ignored whatever else is wrong with it.
        const projectBroken =
          breaking?.path === 'project' || breaking?.path === 'project.path_with_namespace';
        const bodyExpectation: BodyExpectation =
          projectBroken || !otherProject ? (breaking?.expect ?? { kind: 'valid' }) : { kind: 'ignored' };
        const label = `mutated ${seed.kind}: ${breaking ? `${breaking.path} broken` : otherProject ? 'other project' : 'valid'}`;
        return requestArb(world, mode, event, JSON.stringify(body), bodyExpectation, label, seed.kind);
      }),
  );
}

/** Bodies with no relation to GitLab's: any text, any JSON, truncated or deeply nested payloads. */
function arbitraryBodyArb(world: FuzzWorld, mode: FuzzMode): fc.Arbitrary<FuzzCase> {
  const seedText = pick(world.seeds).map((s) => JSON.stringify(s.body));
  const body = fc.oneof(
    fc.string({ unit: mode === 'http' ? 'grapheme' : 'binary', maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.tuple(seedText, fc.nat()).map(([text, n]) => text.slice(0, n % text.length)),
    fc.nat(200_000).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc
      .nat(50_000)
      .map((n) => `{"object_kind":"issue","object_attributes":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
    pick(['', ' ', 'null', '[]', '{}', '"issue"', '0', 'true', '{"object_kind":null}', '\ufeff{}']),
  );
  return fc
    .tuple(pick([...RECOGNISED, ...RECOGNISED, ...OTHER_EVENTS]), body)
    .chain(([event, text]) =>
      requestArb(world, mode, event, text, { kind: 'ignored-or-unusable' }, 'arbitrary body'),
    );
}

/** Headers around a body: right, wrong or missing token, odd casing, extra headers, repeated keys. */
function requestArb(
  world: FuzzWorld,
  mode: FuzzMode,
  event: string,
  body: string,
  bodyExpectation: BodyExpectation,
  label: string,
  seedKind?: Seed['kind'],
): fc.Arbitrary<FuzzCase> {
  const secret = world.secret;
  const token = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>(secret) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerText(mode) },
    {
      weight: 1,
      arbitrary: pick([
        `${secret}x`,
        secret.slice(0, -1),
        secret.toUpperCase(),
        ` ${secret}`,
        `${secret}\t`,
        '',
        `Bearer ${secret}`,
        `${secret},${secret}`,
      ]),
    },
  );
  const eventHeader = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | undefined>(event) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.oneof(pick(OTHER_EVENTS), headerText(mode, 20)) },
  );
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 3, arbitrary: fc.uuid() },
    // A small pool, so repeated deliveries happen.
    { weight: 2, arbitrary: pick(['k-1', 'k-2', 'k-3', 'same']) },
    // Up to 200 characters here: longer keys get a 503 today (see the separate long-key test).
    {
      weight: 1,
      arbitrary:
        mode === 'http'
          ? fc.string({ unit: 'grapheme-ascii', maxLength: 200 })
          : fc.string({ unit: 'binary', maxLength: 200 }),
    },
  );
  const casing = pick<(name: string) => string>([
    (n) => n,
    (n) => n.toUpperCase(),
    (n) => n.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`),
  ]);
  const extra = fc.dictionary(
    fc.oneof(
      pick([
        'content-type',
        'user-agent',
        'x-gitlab-instance',
        'x-gitlab-webhook-uuid',
        'x-gitlab-event-uuid',
        'content-encoding',
        'accept',
      ]),
      fc.stringMatching(/^x-fuzz-[a-z0-9]{1,12}$/),
    ),
    fc.oneof(
      headerText(mode),
      pick(['application/json', 'text/plain; charset=latin1', 'gzip', 'GitLab/18.6.0', '*/*']),
    ),
    { maxKeys: 4 },
  );
  return fc
    .record({
      token,
      eventHeader,
      key,
      casing,
      extra,
      base64: mode === 'http' ? fc.constant(false) : fc.boolean(),
    })
    .map(({ token, eventHeader, key, casing, extra, base64 }) => {
      const headers: Record<string, string> = { ...extra };
      if (token !== undefined) headers[casing('x-gitlab-token')] = token;
      if (eventHeader !== undefined) headers[casing('x-gitlab-event')] = eventHeader;
      if (key !== undefined) headers[casing('idempotency-key')] = key;
      return { label, headers, body, base64, bodyExpectation, ...(seedKind ? { seedKind } : {}) };
    });
}

/** Every kind of fuzzed request, weighted towards mutated real payloads. */
export function fuzzCaseArb(world: FuzzWorld, mode: FuzzMode): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 3, arbitrary: mutatedPayloadArb(world, mode) },
    { weight: 1, arbitrary: arbitraryBodyArb(world, mode) },
  );
}

/** What the receiver must answer, derived from the request as the receiver sees it (CONTRACT §3). */
export type Expected =
  | { status: 401 }
  | { status: 413 }
  | { status: 400 }
  | { status: 200; ignored: true }
  | { status: 200; unusable: string }
  | { status: 200; ignoredOrUnusable: true }
  | { status: 202 | 200; deliveryKey: string };

/**
 * The oracle. Header names are case-insensitive and, over HTTP, values lose surrounding white space; the
 * delivery key is the `Idempotency-Key` or, without one, a hash of the body. Only a body that is not JSON
 * is answered 4xx (once authenticated and under its 10 MiB).
 */
export function expectedAnswer(world: FuzzWorld, c: FuzzCase, mode: FuzzMode): Expected {
  const headers = new Map(
    Object.entries(c.headers).map(([name, value]) => [
      name.toLowerCase(),
      mode === 'http' ? value.replace(/^[ \t]+|[ \t]+$/g, '') : value,
    ]),
  );
  if (headers.get('x-gitlab-token') !== world.secret) return { status: 401 };
  if (Buffer.byteLength(c.body) > 10 * 1024 * 1024) return { status: 413 };
  const event = headers.get('x-gitlab-event') ?? '';
  if (!RECOGNISED.includes(event)) return { status: 200, ignored: true };
  if (!isJson(c.body)) return { status: 400 };
  // An "other" event name that HTTP trimming turns into a recognised one ('Issue Hook ') may name another
  // kind than the seed's, whose expectation was made for its own events: it is read as that other kind.
  if (c.seedKind && !EVENT_OF[c.seedKind].includes(event)) return { status: 200, ignoredOrUnusable: true };
  const expectation = c.bodyExpectation;
  switch (expectation.kind) {
    case 'ignored':
      return { status: 200, ignored: true };
    case 'unusable':
      return { status: 200, unusable: expectation.field };
    case 'ignored-or-unusable':
      return { status: 200, ignoredOrUnusable: true };
    case 'valid': {
      const key =
        headers.get('idempotency-key') || `body:${createHash('sha256').update(c.body).digest('hex')}`;
      return { status: 202, deliveryKey: key };
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function configured(world: FuzzWorld, path: string): boolean {
  const [, project] = world.projectPath.split('/');
  return path.toLowerCase() === world.projectPath.toLowerCase() || path.toLowerCase() === project;
}

/** Sets (or, with REMOVE, deletes) a dotted path, creating objects on the way when a parent is missing. */
function setPath(target: Record<string, unknown>, path: string, value: Value): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1) as string;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
}
