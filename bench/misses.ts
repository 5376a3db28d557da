import type { Row } from './row.js';
import type { BundleFigures } from './rows/bundles.js';
import type { CallsFigures, ChangeFigures } from './rows/calls-per-change.js';
import { describeCalls } from './rows/calls-per-change.js';
import type { CommentWatchFigures } from './rows/comment-watch.js';
import type { Dollars } from './rows/cost.js';
import type { GitLabToSpiraFigures } from './rows/gitlab-to-spira.js';
import type { IdlePollFigures } from './rows/idle-poll.js';
import type { SpiraToGitLabFigures } from './rows/spira-to-gitlab.js';
import type { ThroughputFigures } from './rows/throughput.js';
import type { WebhookFigures } from './rows/webhook-handler.js';
import { ms } from './stats.js';

/** All figures of a run. */
export interface BenchFigures {
  webhook: WebhookFigures;
  toSpira: GitLabToSpiraFigures;
  toGitLab: SpiraToGitLabFigures;
  calls: CallsFigures;
  idle: IdlePollFigures;
  watch: CommentWatchFigures;
  throughput: ThroughputFigures;
  bundles: BundleFigures;
  cost: { row: Row; per100k: Dollars };
}

function change(f: BenchFigures, direction: string, name: string): ChangeFigures | undefined {
  return f.calls.changes.find((c) => c.spec.direction === direction && c.spec.name.startsWith(name));
}

/** The figures issues 2 and 3 ask for in their closing notes. */
export function closingNotes(f: BenchFigures): { issue: string; lines: string[] }[] {
  const update = change(f, 'GitLab → Spira', 'issue update');
  const status = change(f, 'GitLab → Spira', 'status change');
  const watchRow = f.watch.row;
  return [
    {
      issue: 'Issue 2 closing figures (GitLab → Spira)',
      lines: [
        `webhook → incident on the local stack: p50 ${ms(f.toSpira.hookToVisible.p50)}, p99 ${ms(f.toSpira.hookToVisible.p99)} over ${f.toSpira.hookToVisible.n} issues (row 2)`,
        `Spira API calls per issue update: ${update?.target.length ?? 'n/a'} (${describeCalls(update?.target ?? [])}); a state change adds the verifying read: ${status?.target.length ?? 'n/a'} (row 4a)`,
      ],
    },
    {
      issue: 'Issue 3 closing figures (Spira → GitLab)',
      lines: [
        `Spira API calls per idle poll cycle per project: ${f.idle.spiraCallsPerCycle} (row 5a)`,
        `at 1,000 mapped incidents: ${f.watch.idle.spiraCalls} Spira calls per cycle, of which ${f.watch.idle.commentReads} comment reads (the budget); ${watchRow.measured.replace(/^.*detection: /, 'comment detection: ')} (row 5b)`,
        `Spira incident → GitLab issue: p50 ${ms(f.toGitLab.changeToVisible.p50)}, p99 ${ms(f.toGitLab.changeToVisible.p99)} at a 5 s interval; from the poll that finds it, p50 ${ms(f.toGitLab.pollToVisible.p50)} (row 3)`,
      ],
    },
  ];
}

/** What would fix each missed row, by row id. */
export function fixesFor(f: BenchFigures): Record<string, string> {
  return {
    '2': "let an issue stop waiting behind other issues: process a batch's records concurrently by message group, each group in order (the row 6 fix, lib/handlers/worker-handler.ts), or give the worker `batchSize: 1` so Lambda runs one invocation per active group. Then rerun on an idle machine: with the load average above the core count every step waits for CPU. Smaller: the path to the incident POST reads the same link twice (stale check, then inside createOnce); reusing the first read saves a DynamoDB round trip per create (lib/engine/sync-gitlab-issue.ts, create-once.ts).",
    '4a': 'the third call is the read-back that catches a status Spira silently kept (template "Status Bulk Edit" off). Verify once per product template and keep the answer in the project context (5-minute cache, lib/engine/project-context.ts), so a status change is GET + PUT like any update; or drop the read-back and let the echo handle it — the poller re-finds every incident we write and the worker reads it then anyway (the echo read above), but that path must then recognise "status differs from what we just wrote and nobody wrote since" as a refusal and park it, instead of syncing the old status back to GitLab (lib/engine/sync-gitlab-issue.ts, sync-spira-incident.ts).',
    '5a': "take Spira's clock from the `Date` header of the incident-search response instead of a separate `system/settings/server-date-time` read: the poller's 2-minute overlap already covers a change committed while the search runs, and one-second resolution is enough for a watermark (check it against a real Spira first; the stand-in proves nothing about IIS headers). An idle cycle then costs 1 call, plus the release search every 5th cycle (1.2 on average). Searching releases less often only trims the average.",
    '6': "in order of effect: (1) process the message groups of a batch concurrently, each group still in order (group the records by `MessageGroupId` in lib/handlers/worker-handler.ts; Powertools' `SqsFifoPartialProcessorAsync` runs the whole batch sequentially), or set the worker's `batchSize` to 1 so Lambda's one-batch-per-group scaling gives one invocation per group; (2) fewer DynamoDB round trips per record (about 7 today: link read, claim, pointer, complete, two audit appends — one audit write and the pointer folded into the completing write would halve them); (3) the rest is this machine: every part of the stack shares 2 cores (with other people's test runs), and DynamoDB Local answers more slowly the more calls run at once (see the per-call p50 in the details). Deployed, each invocation has its own CPU and DynamoDB answers in a few ms, so throughput is concurrency ÷ per-record time; ≥ 200/s then needs ≥ 200 × per-record time (s) invocations on as many active groups — and the APIs cap it first: GitLab.com allows 2,000 authenticated requests a minute per user, about 16 changes/s at two GitLab calls per change.",
    '7a': bundleFix(f),
    '7b': 'the runtime build is tens of milliseconds; module evaluation is the rest, so the 7a fixes are the fix, plus importing turndown/marked/sanitize-html lazily in the worker. These are local figures on a shared 2-core machine; Lambda reports its own Init Duration, which is the figure to check after deploying.',
    '8': `recommendations 1–3 below. The activity-feed appends are most of the DynamoDB bill; each echo doubles the per-change work (a second worker invocation, its receive and delete, two more appends); and the poller's re-sends bring SQS to ${(f.calls.changes.reduce((n, c) => n + c.usage.sqsSends, 0) / f.calls.changes.length).toFixed(1)} SendMessage per change where one would do. With each append at 1 WRU (recommendation 1), the same measured traffic would cost about $${fixedActivity(f).toFixed(2)} per 100k; 2 then removes each echo's queue round trip and worker invocation.`,
  };
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

/** What would bring the bundles under 1 MB, from what they are made of in this run. */
function bundleFix(f: BenchFigures): string {
  const { bundles, lean } = f.bundles;
  const part = (name: string, source: string) =>
    bundles.find((b) => b.name === name)?.top.find((t) => t.source === source)?.bytes ?? 0;
  const steps: string[] = [];
  const locales = Math.max(...bundles.map((b) => b.zodLocaleBytes));
  if (locales > 50 * 1024)
    steps.push(
      `drop zod's translated error messages (${kb(locales)} per bundle; named imports, \`zod/mini\` or an esbuild stub)`,
    );
  steps.push(
    `leave \`@aws-sdk/*\` and \`@smithy/*\` to the Lambda runtime, which ships SDK v3 (serverless.yml \`custom.esbuild.external\`; measured: ${lean.map((b) => `${b.name} ${mb(b.bytes)}`).join(', ')})`,
  );
  const yaml = Math.max(...bundles.map((b) => b.top.find((t) => t.source === 'yaml')?.bytes ?? 0));
  if (yaml > 0)
    steps.push(`turn a YAML config into JSON at package time so no bundle needs \`yaml\` (${kb(yaml)})`);
  const sharedDom = ['gitlab-webhook', 'spira-poller'].filter((n) => part(n, '@mixmark-io/domino') > 0);
  if (sharedDom.length > 0)
    steps.push(
      `give each function its own runtime builder so ${sharedDom.join(' and ')} stop carrying the worker's Markdown/HTML stack`,
    );
  const dom = part('sync-worker', '@mixmark-io/domino') + part('sync-worker', 'entities');
  if (dom > 0)
    steps.push(
      `in the worker, turndown's DOM (\`@mixmark-io/domino\` + \`entities\`, ${kb(dom)}) is the largest single part: load it lazily, only Spira → GitLab text needs it`,
    );
  const estimate = lean.map((b) => {
    const minus = (b.top.find((t) => t.source === 'yaml')?.bytes ?? 0) + b.zodLocaleBytes;
    return `${b.name} ≈ ${mb(b.bytes - minus)}`;
  });
  return `${steps.join('; ')}. Estimated with the SDK external and without \`yaml\`: ${estimate.join(', ')}.`;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** Row 8's figure if every activity-feed append cost 1 WRU (recommendation 1), from the measured WRU by item. */
function fixedActivity(f: BenchFigures): number {
  const changes = f.calls.changes;
  const appends = changes.reduce((n, c) => n + c.batches.length, 0) / changes.length;
  const recent = changes.reduce((n, c) => n + (c.usage.wruByItem.recent ?? 0), 0) / changes.length;
  const saved = ((recent - appends) * 0.625 * 100_000) / 1e6;
  const per = f.cost.per100k;
  return per.dynamo + per.lambda + per.sqs + per.httpApi - saved;
}

/** lib/ changes, each with the figure behind it. */
export function recommendationsFor(f: BenchFigures): string[] {
  const per = f.cost.per100k;
  const all = per.dynamo + per.lambda + per.sqs + per.httpApi;
  const watch = f.watch.idle.usage;
  const watchMonth = ((watch.wru * 0.625 + watch.rru * 0.125) * 43_200) / 1e6;
  const sends = f.calls.changes.reduce((n, c) => n + c.usage.sqsSends, 0) / f.calls.changes.length;
  return [
    `**Per-item history as small items** (lib/stores/dynamo-audit-store.ts). The project feed is a ring of small slot items (two ~1 KB writes per record); each item's own history \`audit#<item>\` is still one item appended with \`list_append\` and billed by its whole size as it grows (up to 200 entries). DynamoDB is $${per.dynamo.toFixed(2)} of the $${all.toFixed(2)} per 100k changes (row 8). One small item per entry with a sort key (a table change) would make every append 1 WRU.`,
    `**Drop echoes and re-sends in the poller** (lib/engine/poll-spira.ts). The incident search returns whole incidents and the poller already reads each one's link; comparing the synced fields' fingerprints with the pair's \`spiraHashes\` there (one more GetItem) would drop our own writes before they cost a SendMessage, a receive, a delete, a worker invocation, an incident GET and two audit appends (row 4: every change has one such echo). It also re-sends every incident changed within its 2-minute overlap on each cycle — SQS drops the duplicates but bills them (row 3 details; row 4 counts ${sends.toFixed(1)} SendMessage per change, echo and re-sends included, where one carries the change): skip an incident whose \`LastUpdateDate\` its link has already applied.`,
    `**Watch list without a rewrite per cycle** (lib/engine/poll-spira.ts, lib/stores/dynamo-watch-store.ts). At 1,000 linked incidents the poller reads and rewrites the whole watch item every cycle: ${Math.round(watch.rru)} RRU + ${Math.round(watch.wru)} WRU, about $${watchMonth.toFixed(2)} a month per project at one poll a minute (row 5b). A rotation cursor instead of a \`checkedAt\` per entry, and a write only when an entry changed, makes an idle cycle a single read.`,
    `**Comment budget that scales** (lib/domain/comment-watch.ts). With a budget of 10 and 1,000 linked incidents, a comment on an incident untouched for an hour took ${f.watch.row.measured.replace(/^.*cold /, '')} to reach GitLab (one cycle = one minute deployed), and once a few incidents are hot, cold ones get only a quarter of the budget. A budget of ⌈linked ÷ 60⌉ reads every incident at least hourly (17 calls a cycle at 1,000).`,
    '**Status read-back once per template** (row 4a fix): a GitLab state change then costs 2 Spira calls like any other update.',
    '**Worker: message groups of a batch in parallel** (row 6 fix), or `batchSize: 1`.',
    `**Bundles** (row 7 fix): ${bundleFix(f)}`,
    "**Poller clock from the search response's `Date` header** (row 5a fix), to be checked against a real Spira.",
  ];
}
