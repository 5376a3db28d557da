import type { ProjectConfig } from '../config/sync-config.js';
import type { AuditEntry } from '../domain/audit.js';
import { escapeHtml as esc } from '../domain/marker.js';
import { readStatus, type StatusSnapshot, type StatusSources } from '../ops/status-snapshot.js';
import { openState, type StateLocation } from '../ops/sync-state.js';
import type { Runtime } from '../runtime/build-runtime.js';
import { type HealthReport, healthLines } from './health.js';
import type { LocalRoutes } from './http-server.js';

/** How many recent events the page lists (all projects together). */
const ACTIVITY_ROWS = 50;

/** The status sources of a running local runtime: its own stores, queue and GitLab project ids. */
export function runtimeStatusSources(runtime: Runtime): StatusSources {
  const { env } = runtime;
  const location: StateLocation = {
    source: 'local',
    origin: 'this process',
    region: env.AWS_REGION,
    table: env.TABLE_NAME,
    queueUrl: env.QUEUE_URL,
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamoEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    ...(env.AWS_ENDPOINT_URL_SQS ? { sqsEndpoint: env.AWS_ENDPOINT_URL_SQS } : {}),
  };
  const state = openState(location);
  return {
    config: runtime.config,
    audit: runtime.sync.audit,
    parking: state.parking,
    cursors: state.cursors,
    gitlabProjectId: (project: ProjectConfig) => runtime.poll.gitlabProjectId(project),
    queueDepths: async () => {
      const queue = await state.depth(env.QUEUE_URL);
      const dlq = await state.dlqUrl().then(state.depth, () => undefined);
      return { queue, ...(dlq ? { dlq } : {}) };
    },
  };
}

/** `GET /`: the read-only status page of the local runtime. */
export function statusPageRoutes(runtime: Runtime, health?: () => Promise<HealthReport>): LocalRoutes {
  const sources = runtimeStatusSources(runtime);
  return {
    '/': async () => ({
      status: 200,
      type: 'text/html; charset=utf-8',
      body: renderStatusPage(await readStatus(sources), await health?.()),
    }),
  };
}

function healthSection(h: HealthReport | undefined): string {
  if (!h) return '';
  const rows = healthLines(h).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`);
  return `<h2>Health</h2><table data-testid="health"><tbody>${rows.join('')}</tbody></table>`;
}

const cell = (text: string | number) => `<td>${esc(String(text))}</td>`;
const row = (cells: (string | number)[]) => `<tr>${cells.map(cell).join('')}</tr>`;

function table(id: string, header: string[], rows: (string | number)[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty" data-testid="${id}-empty">${esc(empty)}</p>`;
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  return `<table data-testid="${id}"><thead>${head}</thead><tbody>${rows.map(row).join('')}</tbody></table>`;
}

function projectsTable(s: StatusSnapshot): string {
  return table(
    'projects',
    [
      'Spira product',
      'GitLab project',
      'active',
      'last poll (Spira clock)',
      'parked',
      'conflicts',
      'webhook',
    ],
    s.projects.map((p) => [
      p.spiraProjectId,
      p.gitlabPath,
      p.active ? 'yes' : 'no',
      p.lastPoll ?? 'not yet',
      p.parked.length,
      p.conflicts.length,
      p.webhookAlert ? `ALERT: ${p.webhookAlert.detail}` : 'no alert',
    ]),
    'No projects configured.',
  );
}

function errorsTable(s: StatusSnapshot): string {
  const parked = [...s.projects.flatMap((p) => p.parked), ...s.unassignedParked];
  return table(
    'errors',
    ['parked at', 'message', 'error', 'reason'],
    parked.map((m) => [m.parkedAt, m.messageId, m.errorName, m.reason]),
    'No errors: nothing is parked.',
  );
}

function entries(s: StatusSnapshot, pick: (e: AuditEntry) => boolean): (AuditEntry & { project: number })[] {
  return s.projects
    .flatMap((p) => p.recent.filter(pick).map((e) => ({ ...e, project: p.spiraProjectId })))
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** The page: projects, errors and parked messages, conflicts, recent activity. No scripts, no forms. */
export function renderStatusPage(s: StatusSnapshot, health?: HealthReport): string {
  const queue = s.queue
    ? `${s.queue.waiting} waiting, ${s.queue.inFlight} in flight, ${s.queue.delayed} delayed; dead letters: ${s.dlq ? s.dlq.waiting + s.dlq.inFlight : '?'}`
    : `unreadable (${s.queueError ?? '?'})`;
  const conflicts = entries(s, (e) => e.action === 'conflict').map((e) => [e.at, e.project, e.detail]);
  const activity = entries(s, () => true)
    .slice(0, ACTIVITY_ROWS)
    .map((e) => [e.at, e.project, e.kind, e.action, e.detail]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<title>spira-gitlab-sync status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2330}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}.empty{color:#5a6270}#errors td,#conflicts td{background:#fff6f4}
</style></head>
<body>
<h1>spira-gitlab-sync</h1>
<p>Status at <time data-testid="generated">${esc(s.at)}</time>. Queue: <span data-testid="queue">${esc(queue)}</span>. Read-only; refreshes every 15 s.</p>
${healthSection(health)}
<h2>Projects</h2>${projectsTable(s)}
<section id="errors"><h2>Errors and parked messages</h2>${errorsTable(s)}
<p>Fix the cause, then <code>npx spira-gitlab-sync replay --all</code>.</p></section>
<section id="conflicts"><h2>Conflicts</h2>${table('conflicts', ['time', 'Spira product', 'what happened'], conflicts, 'No conflicts among the recent events.')}</section>
<h2>Recent activity</h2>${table('activity', ['time', 'Spira product', 'event', 'action', 'detail'], activity, 'Nothing synced yet.')}
</body></html>
`;
}
