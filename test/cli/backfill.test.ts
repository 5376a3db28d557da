import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillRow } from '../../lib/cli/backfill/run-backfill.js';
import { hookUp } from '../../lib/local/demo.js';
import { type CliHarness, startCliHarness } from './cli-harness.js';

const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

interface Report {
  dryRun: boolean;
  counts: Record<string, Record<string, number>>;
  rows: BackfillRow[];
}

describe('backfill', () => {
  let h: CliHarness;
  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  let pairIncident: number;
  let copiedIncident: number;

  beforeAll(async () => {
    h = await startCliHarness({ noHook: true });
    const { spira, world } = h;
    const closed = spira.statuses(pid()).find((s) => s.Name === 'Closed')?.IncidentStatusId as number;
    // Existing items nobody synced yet (no webhook, no poll).
    const { json: a } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Old GitLab issue',
      description: 'Seen **before** the sync existed',
    });
    await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${a.iid}/notes`, { body: 'Me too' });
    const { json: b } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Old closed issue',
    });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${b.iid}`, { state_event: 'close' });
    const x = spira.createIncident(pid(), world.spira.amy, {
      Name: 'Old Spira incident',
      Description: '<p>x</p>',
    });
    spira.addComment(pid(), x.IncidentId, world.spira.fred, '<p>A comment</p>');
    spira.createIncident(pid(), world.spira.amy, { Name: 'Old closed incident', IncidentStatusId: closed });
    // A copy an earlier deployment made (it carries the marker) whose link records were lost.
    copiedIncident = spira.createIncident(pid(), world.spira.amy, { Name: 'Copied before' }).IncidentId;
    await h.gitlabAs('syncbot', 'POST', `projects/${gpid()}/issues`, {
      title: 'Copied before',
      description: `copy\n\n<!-- spira-gitlab-sync spira-incident:${pid()}/${copiedIncident} -->`,
    });
    // A pair the live sync made, then changed in Spira while nobody polled.
    hookUp(h.gitlab, world, h.local.url);
    await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'Live pair' });
    await h.settle();
    pairIncident = spira.incidents(pid()).find((i) => i.Name === 'Live pair')?.IncidentId as number;
    spira.updateIncident(pid(), pairIncident, world.spira.amy, { Name: 'Live pair, renamed in Spira' });
  });
  afterAll(async () => h?.stop());

  const run = async (args: string[]) => {
    const result = await h.cli(['backfill', '--json', ...args]);
    expect(result.err).toBe('');
    return { code: result.code, report: JSON.parse(result.out) as Report };
  };
  const plan = (r: Report) => r.rows.map((row) => `${row.kind} ${row.ref}: ${row.action}`).sort();

  let dry: Report;

  it('writes nothing on a dry run: only reads and read-only searches reach GitLab, Spira and DynamoDB', async () => {
    const itemsBefore = await h.tableItems();
    const deliveriesBefore = h.gitlab.deliveries.length;
    h.gitlab.clearRequests();
    h.spira.clearRequests();

    const { code, report } = await run(['--dry-run']);
    dry = report;

    expect(code).toBe(0);
    expect(h.gitlab.requests.filter((r) => WRITES.has(r.method))).toEqual([]);
    const spiraWrites = h.spira.requests.filter((r) => WRITES.has(r.method));
    expect(spiraWrites.map((r) => `${r.method} ${r.path}`)).toEqual(
      spiraWrites.map(() => `POST projects/${pid()}/incidents/search`),
    );
    expect(await h.tableItems()).toEqual(itemsBefore);
    expect(h.gitlab.deliveries.length).toBe(deliveriesBefore);
  });

  it('announces what it would create, link, update and skip', () => {
    expect(dry.dryRun).toBe(true);
    expect(dry.counts.issue).toMatchObject({ created: 2, failed: 0 });
    expect(dry.counts.note).toMatchObject({ created: 1 });
    expect(dry.counts.incident).toMatchObject({ created: 2, linked: 1, updated: 1, failed: 0 });
    expect(dry.counts.comment).toMatchObject({ created: 1 });
    expect(plan(dry)).toEqual(
      expect.arrayContaining([
        `incident IN:${copiedIncident}: linked`,
        `incident IN:${pairIncident}: updated`,
        'issue velociraptor#1: created',
      ]),
    );
  });

  it('then makes exactly what the dry run announced', async () => {
    const incidentsBefore = h.spira.incidents(pid()).length;
    const issuesBefore = h.gitlab.issues(gpid()).length;
    h.gitlab.clearRequests();
    h.spira.clearRequests();

    const { code, report } = await run([]);
    await h.settle();

    expect(code).toBe(0);
    expect(report.dryRun).toBe(false);
    expect(plan(report)).toEqual(plan(dry));
    expect(report.counts).toEqual(dry.counts);
    const posts = (requests: { method: string; path: string }[], pattern: RegExp) =>
      requests.filter((r) => r.method === 'POST' && pattern.test(r.path)).length;
    expect(posts(h.spira.requests, /\/incidents$/)).toBe(dry.counts.issue?.created);
    expect(posts(h.spira.requests, /\/comments$/)).toBe(dry.counts.note?.created);
    expect(posts(h.gitlab.requests, /\/issues$/)).toBe(dry.counts.incident?.created);
    expect(posts(h.gitlab.requests, /\/notes$/)).toBe(dry.counts.comment?.created);
    expect(h.spira.incidents(pid()).length).toBe(incidentsBefore + (dry.counts.issue?.created ?? 0));
    expect(h.gitlab.issues(gpid()).length).toBe(issuesBefore + (dry.counts.incident?.created ?? 0));
    expect(h.gitlab.issues(gpid()).find((i) => i.title === 'Live pair, renamed in Spira')).toBeDefined();
    expect(h.gitlab.issues(gpid()).find((i) => i.title === 'Old closed incident')?.state).toBe('closed');
  });

  it('creates nothing a second time', async () => {
    const { code, report } = await run([]);

    expect(code).toBe(0);
    const made = Object.values(report.counts).map((c) => (c.created ?? 0) + (c.linked ?? 0));
    expect(made).toEqual([0, 0, 0, 0]);
    expect(report.rows.filter((r) => r.action === 'failed')).toEqual([]);
  });

  it('records what it did in the items’ history', async () => {
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#1`);

    expect(history.map((e) => `${e.kind} ${e.action}`)).toContain('gitlab.issue created');
    expect(history.find((e) => e.action === 'created')?.detail).toMatch(/^backfill: incident \d+/);
  });

  it('looks only at items changed since --since, and only at the --project named', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

    const { code, report } = await run(['--since', future, '--project', 'velociraptor', '--dry-run']);

    expect(code).toBe(0);
    expect(report.rows).toEqual([]);
  });

  it('names the flag when --since or --project is wrong', async () => {
    const since = await h.cli(['backfill', '--since', 'last tuesday']);
    const project = await h.cli(['backfill', '--project', 'nope']);

    expect([since.code, project.code]).toEqual([1, 1]);
    expect(since.err).toMatch(/--since last tuesday: expected a date/);
    expect(project.err).toMatch(/--project nope: no such project/);
  });

  it('prints a summary table with the reasons for skips', async () => {
    const { code, out } = await h.cli(['backfill', '--dry-run']);

    expect(code).toBe(0);
    expect(out).toMatch(/DRY RUN: nothing was written/);
    expect(out).toMatch(/items\s+created\s+linked\s+updated\s+skipped\s+failed/);
    expect(out).toMatch(/GitLab issues → Spira incidents\s+0\s+0\s+0\s+\d+\s+0/);
    expect(out).toMatch(/Skipped, and why:\n\s+\d+\s+no field changed since the last sync/);
  });
});
