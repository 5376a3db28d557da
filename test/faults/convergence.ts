import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { queueDepth as depthOf, type QueueDepth } from '../../lib/aws/queue-depth.js';
import type { Harness } from '../helpers/sync-harness.js';
import type { Field, JournalEntry, PersonItem, PersonNote, Side, TokenRegistry } from './people.js';
import { tokensIn } from './people.js';

/** Two people's edits of one field closer than this are a tie: either value may win (a recorded conflict). */
export const TIE_MS = 2_000;

export interface NoteSnap {
  id: number;
  body: string;
  author: string;
}
export interface IssueSnap {
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed';
  updatedAt: string;
  notes: NoteSnap[];
}
export interface CommentSnap {
  id: number;
  text: string;
  user: string;
}
export interface IncidentSnap {
  id: number;
  name: string;
  description: string;
  state: 'opened' | 'closed';
  statusId: number;
  lastUpdate: string;
  comments: CommentSnap[];
}
export interface LinkSnap {
  pk: string;
  state: string;
  targetId?: string;
  claimedAt?: string;
  gitlabHashes?: Record<string, string>;
  spiraHashes?: Record<string, string>;
  appliedEventAt?: string;
}
export interface AuditSnap {
  at: string;
  kind: string;
  action: string;
  detail: string;
  messageId?: string;
}

/** Everything the checks read at the end: both systems as they are, and the sync's own state. */
export interface Snapshot {
  gpid: number;
  pid: number;
  issues: IssueSnap[];
  incidents: IncidentSnap[];
  links: Map<string, LinkSnap>;
  audit: Map<string, AuditSnap[]>;
  parked: { pk: string; reason: string; body: string }[];
  /** The poller's comment watch list (`watch#<project>`), by incident id. */
  watch: Record<string, { activeAt: string; checkedAt: string; lastCommentId: number; iid?: number }>;
  queue: QueueDepth & { deadLetters: number };
}

/** Reads both stand-ins and the sync's table and queues. */
export async function takeSnapshot(
  h: Harness,
  aws: { db: DynamoDBDocumentClient; sqs: SQSClient },
): Promise<Snapshot> {
  const gpid = h.world.gitlabProjectId;
  const pid = h.world.spiraProjectId;
  const open = new Set(
    h.spira
      .statuses(pid)
      .filter((s) => s.Open)
      .map((s) => s.IncidentStatusId),
  );
  const issues = h.gitlab.issues(gpid).map((issue) => ({
    iid: issue.iid,
    title: issue.title,
    description: issue.description ?? '',
    state: issue.state,
    updatedAt: issue.updated_at,
    notes: h.gitlab
      .notes(gpid, issue.iid)
      .filter((n) => !n.system)
      .map((n) => ({ id: n.id, body: n.body, author: n.author.username })),
  }));
  const incidents = h.spira.incidents(pid).map((incident) => ({
    id: incident.IncidentId,
    name: incident.Name,
    description: incident.Description ?? '',
    state: open.has(incident.IncidentStatusId) ? ('opened' as const) : ('closed' as const),
    statusId: incident.IncidentStatusId,
    lastUpdate: String(incident.LastUpdateDate),
    comments: h.spira
      .comments(pid, incident.IncidentId)
      .map((c) => ({ id: c.CommentId, text: c.Text ?? '', user: String(c.UserName ?? c.UserId) })),
  }));
  const table = h.local.runtime.env.TABLE_NAME;
  const links = new Map<string, LinkSnap>();
  const audit = new Map<string, AuditSnap[]>();
  const parked: Snapshot['parked'] = [];
  let watch: Snapshot['watch'] = {};
  let start: Record<string, unknown> | undefined;
  do {
    const page = await aws.db.send(
      new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? []) {
      const pk = String(item.pk);
      if (pk.startsWith('audit#')) audit.set(pk.slice('audit#'.length), item.entries as AuditSnap[]);
      else if (pk === `watch#${pid}`) watch = item.entries as Snapshot['watch'];
      else if (pk.startsWith('parked#'))
        parked.push({ pk, reason: String(item.reason), body: String(item.body) });
      else if ('state' in item && (item.state === 'linked' || item.state === 'pending'))
        links.set(pk, item as unknown as LinkSnap);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { gpid, pid, issues, incidents, links, audit, parked, watch, queue: await queueDepth(h, aws.sqs) };
}

/** The sync queue's depth and its dead-letter queue's. */
export async function queueDepth(h: Harness, sqs: SQSClient): Promise<Snapshot['queue']> {
  const main = await depthOf(sqs, h.local.runtime.env.QUEUE_URL);
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: `${h.local.runtime.env.TABLE_NAME}-dlq.fifo` }),
  );
  const dlq = await depthOf(sqs, QueueUrl as string);
  return { ...main, deadLetters: dlq.waiting + dlq.inFlight + dlq.delayed };
}

/**
 * A description as a person reads it: no invisible markers, no attribution or "synced from" lines the sync
 * adds, no HTML tags or Markdown emphasis, white space folded.
 */
export function plain(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<p><em>(?:Reported|Posted|Edited) in GitLab by[\s\S]*?<\/em><\/p>/g, ' ')
    .replace(/^_(?:Reported in Spira by|Synced from Spira|Posted in Spira by)[^\n]*$/gm, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[\\_*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export type ProblemKind = 'duplicate' | 'lost' | 'diverged' | 'stuck' | 'queue';

/** One thing wrong at the end, with what is needed to find out why. */
export interface Problem {
  kind: ProblemKind;
  /** Logical item (`gl#12`, `sp#7`). */
  item: string;
  note?: string;
  side?: Side;
  /** Set when a field's latest edit was lost (both sides may agree on an older value). */
  field?: Field;
  /** How many duplicates or lost changes this problem counts for. */
  count: number;
  detail: string;
  /** Keys whose link records and audit histories explain it. */
  keys: string[];
}

export interface Verdict {
  duplicates: number;
  lost: number;
  conflicts: number;
  converged: boolean;
  problems: Problem[];
  counts: { items: number; notes: number; issues: number; incidents: number; pairs: number };
}

/** The values a field may end with: the latest person edit, or either side's when both edited within {@link TIE_MS}. */
export function acceptable(journal: readonly JournalEntry[], item: string, field: Field) {
  const edits = journal
    .filter((e) => e.item === item && e.field === field && !e.error && e.value !== undefined)
    .sort((a, b) => a.at - b.at);
  const last = edits.at(-1);
  if (!last) return undefined;
  const values = [last];
  const other = edits.filter((e) => e.side !== last.side).at(-1);
  if (other && last.at - other.at <= TIE_MS) values.push(other);
  return values;
}

function fieldValue(field: Field, source: { title: string; description: string; state: string }): string {
  return field === 'title'
    ? source.title.trim()
    : field === 'description'
      ? plain(source.description)
      : source.state;
}

function expected(field: Field, value: string): string {
  return field === 'description' ? plain(value) : value.trim();
}

/**
 * The final checks. Counterparts are found both by the sync's link records and by scanning the other side
 * for the people's tokens, so a duplicate the links do not know about is still found.
 */
export function evaluate(s: Snapshot, registry: TokenRegistry, journal: readonly JournalEntry[]): Verdict {
  const problems: Problem[] = [];
  const glKey = (iid: number) => `gl-issue#${s.gpid}#${iid}`;
  const spKey = (id: number) => `sp-incident#${s.pid}#${id}`;
  const issueByIid = new Map(s.issues.map((i) => [i.iid, i]));
  const incidentById = new Map(s.incidents.map((i) => [i.id, i]));
  // Pairs the links know: issue iid ⇄ incident id.
  const linkedIncidents = new Map<number, Set<number>>();
  const linkedIssues = new Map<number, Set<number>>();
  const edge = (iid: number, id: number) => {
    linkedIncidents.set(iid, (linkedIncidents.get(iid) ?? new Set()).add(id));
    linkedIssues.set(id, (linkedIssues.get(id) ?? new Set()).add(iid));
  };
  for (const link of s.links.values()) {
    if (link.state !== 'linked' || !link.targetId) continue;
    const gl = /^gl-issue#\d+#(\d+)$/.exec(link.pk);
    if (gl) edge(Number(gl[1]), Number(link.targetId));
    const sp = /^sp-incident#\d+#(\d+)$/.exec(link.pk);
    const target = /^gl-issue#\d+#(\d+)$/.exec(link.targetId);
    if (sp && target) edge(Number(target[1]), Number(sp[1]));
  }
  const issuesOf = new Map<string, Set<number>>();
  const incidentsOf = new Map<string, Set<number>>();
  for (const issue of s.issues)
    for (const item of registry.itemsIn(`${issue.title}\n${issue.description}`))
      issuesOf.set(item, (issuesOf.get(item) ?? new Set()).add(issue.iid));
  for (const incident of s.incidents)
    for (const item of registry.itemsIn(`${incident.name}\n${incident.description}`))
      incidentsOf.set(item, (incidentsOf.get(item) ?? new Set()).add(incident.id));
  // Items the people never made (the sync made them from nothing a person wrote).
  for (const issue of s.issues)
    if (registry.itemsIn(`${issue.title}\n${issue.description}`).length === 0)
      problems.push({
        kind: 'duplicate',
        item: `#${issue.iid}`,
        side: 'gitlab',
        count: 1,
        detail: `issue #${issue.iid} "${issue.title}" carries no person's token`,
        keys: [glKey(issue.iid)],
      });
  for (const incident of s.incidents)
    if (registry.itemsIn(`${incident.name}\n${incident.description}`).length === 0)
      problems.push({
        kind: 'duplicate',
        item: `IN:${incident.id}`,
        side: 'spira',
        count: 1,
        detail: `incident IN:${incident.id} "${incident.name}" carries no person's token`,
        keys: [spKey(incident.id)],
      });

  const pairOf = new Map<string, { issue?: IssueSnap; incident?: IncidentSnap }>();
  let pairs = 0;
  for (const item of registry.items.values()) {
    const gl = new Set(issuesOf.get(item.key) ?? []);
    const sp = new Set(incidentsOf.get(item.key) ?? []);
    for (const iid of [...gl])
      for (const id of linkedIncidents.get(iid) ?? []) if (incidentById.has(id)) sp.add(id);
    for (const id of [...sp])
      for (const iid of linkedIssues.get(id) ?? []) if (issueByIid.has(iid)) gl.add(iid);
    if (item.origin === 'gitlab') gl.add(item.id);
    else sp.add(item.id);
    const keys = [...[...gl].map(glKey), ...[...sp].map(spKey)];
    const ref = describeItem(item);
    for (const [side, set, name] of [
      ['gitlab', gl, 'issues'],
      ['spira', sp, 'incidents'],
    ] as const) {
      if (set.size > 1)
        problems.push({
          kind: 'duplicate',
          item: item.key,
          side,
          count: set.size - 1,
          detail: `${ref}: ${set.size} ${name} (${[...set].map((n) => (side === 'gitlab' ? `#${n}` : `IN:${n}`)).join(', ')})`,
          keys,
        });
      if (set.size === 0)
        problems.push({
          kind: 'lost',
          item: item.key,
          side,
          count: 1,
          detail: `${ref}: no counterpart in ${side === 'gitlab' ? 'GitLab' : 'Spira'}`,
          keys,
        });
    }
    const issue = issueByIid.get(item.origin === 'gitlab' ? item.id : ([...gl][0] ?? -1));
    const incident = incidentById.get(item.origin === 'spira' ? item.id : ([...sp][0] ?? -1));
    pairOf.set(item.key, { ...(issue ? { issue } : {}), ...(incident ? { incident } : {}) });
    if (!issue || !incident) continue;
    pairs++;
    const gitlabSide = { title: issue.title, description: issue.description, state: issue.state };
    const spiraSide = { title: incident.name, description: incident.description, state: incident.state };
    for (const field of ['title', 'description', 'state'] as const) {
      const g = fieldValue(field, gitlabSide);
      const p = fieldValue(field, spiraSide);
      if (g !== p)
        problems.push({
          kind: 'diverged',
          item: item.key,
          count: 1,
          detail: `${ref}: ${field} differs: GitLab #${issue.iid} "${g}" vs Spira IN:${incident.id} "${p}"`,
          keys,
        });
      const allowed = acceptable(journal, item.key, field);
      if (!allowed) continue;
      const values = allowed.map((e) => expected(field, e.value as string));
      for (const [side, final] of [
        ['gitlab', g],
        ['spira', p],
      ] as const) {
        if (values.includes(final)) continue;
        const last = allowed[0] as JournalEntry;
        problems.push({
          kind: 'lost',
          item: item.key,
          side,
          field,
          count: 1,
          detail: `${ref}: ${field} on ${side} is "${final}", but the latest edit was ${last.who} at ${iso(last.at)} → "${values[0]}"${values.length > 1 ? ` (or "${values[1]}" from the other side within ${TIE_MS} ms)` : ''}`,
          keys,
        });
      }
    }
    const pairKey = item.origin === 'gitlab' ? glKey(item.id) : glKey(issue.iid);
    const pair = s.links.get(pairKey);
    if (pair?.state !== 'linked' || !pair.gitlabHashes || !pair.spiraHashes)
      problems.push({
        kind: 'stuck',
        item: item.key,
        count: 1,
        detail: `${ref}: pair record ${pairKey} is ${pair ? `${pair.state}${pair.gitlabHashes ? '' : ' without GitLab hashes'}${pair.spiraHashes ? '' : ' without Spira hashes'}` : 'missing'}`,
        keys,
      });
  }

  const notes = checkNotes(s, registry, pairOf, problems);
  // The same GitLab field reported on both sides is one lost change.
  const dedup = mergeSides(problems);
  const conflicts = [...s.audit.values()].flat().filter((e) => e.kind === 'conflict').length;
  const duplicates = dedup.filter((p) => p.kind === 'duplicate').reduce((n, p) => n + p.count, 0);
  const lost = dedup.filter((p) => p.kind === 'lost').reduce((n, p) => n + p.count, 0);
  const { waiting, inFlight, delayed, deadLetters } = s.queue;
  if (waiting + inFlight + delayed > 0)
    dedup.push({
      kind: 'queue',
      item: '-',
      count: waiting + inFlight + delayed,
      detail: `queue not empty: ${waiting} waiting, ${inFlight} in flight, ${delayed} delayed`,
      keys: [],
    });
  if (deadLetters > 0)
    dedup.push({
      kind: 'queue',
      item: '-',
      count: deadLetters,
      detail: `${deadLetters} message(s) in the dead-letter queue`,
      keys: [],
    });
  for (const p of s.parked)
    dedup.push({
      kind: 'queue',
      item: '-',
      count: 1,
      detail: `parked ${p.pk}: ${p.reason} (${p.body})`,
      keys: [],
    });
  // Converged: every pair agrees, every note and comment has its counterpart, nothing left in the queues.
  const converged = !dedup.some((p) => p.kind !== 'duplicate' && !(p.kind === 'lost' && p.field));
  return {
    duplicates,
    lost,
    conflicts,
    converged,
    problems: dedup,
    counts: {
      items: registry.items.size,
      notes: notes,
      issues: s.issues.length,
      incidents: s.incidents.length,
      pairs,
    },
  };
}

function checkNotes(
  s: Snapshot,
  registry: TokenRegistry,
  pairOf: Map<string, { issue?: IssueSnap; incident?: IncidentSnap }>,
  problems: Problem[],
): number {
  const glNotes = s.issues.flatMap((issue) => issue.notes.map((note) => ({ issue, note })));
  const spComments = s.incidents.flatMap((incident) =>
    incident.comments.map((comment) => ({ incident, comment })),
  );
  const glWith = (token: string) => glNotes.filter((x) => tokensIn(x.note.body).includes(token));
  const spWith = (token: string) => spComments.filter((x) => tokensIn(x.comment.text).includes(token));
  const keysOf = (note: PersonNote, extra: string[]) => [
    note.side === 'gitlab' ? `gl-note#${s.gpid}#${note.id}` : `sp-comment#${s.pid}#${note.id}`,
    ...extra,
  ];
  let count = 0;
  for (const note of registry.notes.values()) {
    count++;
    const pair = pairOf.get(note.item);
    const ref =
      note.side === 'gitlab' ? `note ${note.id} on #${note.on}` : `comment ${note.id} on IN:${note.on}`;
    const related = [
      ...(pair?.issue ? [`gl-issue#${s.gpid}#${pair.issue.iid}`] : []),
      ...(pair?.incident ? [`sp-incident#${s.pid}#${pair.incident.id}`] : []),
    ];
    if (note.side === 'gitlab') {
      const origin = glNotes.find((x) => x.note.id === note.id);
      const current = tokensIn(origin?.note.body).find((t) => note.tokens.includes(t)) ?? note.tokens.at(-1);
      const echoes = new Set(
        note.tokens.flatMap((t) => glWith(t).map((x) => x.note.id)).filter((id) => id !== note.id),
      );
      if (echoes.size > 0)
        problems.push({
          kind: 'duplicate',
          item: note.item,
          note: note.key,
          side: 'gitlab',
          count: echoes.size,
          detail: `${ref}: copied back into GitLab as note(s) ${[...echoes].join(', ')}`,
          keys: keysOf(note, related),
        });
      for (const token of note.tokens) {
        const copies = spWith(token);
        const commentKeys = copies.map((x) => `sp-comment#${s.pid}#${x.comment.id}`);
        if (copies.length > 1)
          problems.push({
            kind: 'duplicate',
            item: note.item,
            note: note.key,
            side: 'spira',
            count: copies.length - 1,
            detail: `${ref}: text ${token} is in ${copies.length} Spira comments (${copies.map((x) => `${x.comment.id} on IN:${x.incident.id}`).join(', ')})`,
            keys: keysOf(note, [...related, ...commentKeys]),
          });
        if (token === current && copies.length === 0)
          problems.push({
            kind: 'lost',
            item: note.item,
            note: note.key,
            side: 'spira',
            count: 1,
            detail: `${ref}: its text (${token}) is in no Spira comment`,
            keys: keysOf(note, related),
          });
        for (const copy of copies)
          if (pair?.incident && copy.incident.id !== pair.incident.id)
            problems.push({
              kind: 'diverged',
              item: note.item,
              note: note.key,
              side: 'spira',
              count: 1,
              detail: `${ref}: copied to a comment on IN:${copy.incident.id}, not on IN:${pair.incident.id}`,
              keys: keysOf(note, related),
            });
      }
    } else {
      const token = note.tokens[0] as string;
      const copies = glWith(token);
      const echoes = spWith(token).filter((x) => x.comment.id !== note.id);
      if (echoes.length > 0)
        problems.push({
          kind: 'duplicate',
          item: note.item,
          note: note.key,
          side: 'spira',
          count: echoes.length,
          detail: `${ref}: copied back into Spira as comment(s) ${echoes.map((x) => x.comment.id).join(', ')}`,
          keys: keysOf(note, related),
        });
      if (copies.length > 1)
        problems.push({
          kind: 'duplicate',
          item: note.item,
          note: note.key,
          side: 'gitlab',
          count: copies.length - 1,
          detail: `${ref}: in ${copies.length} GitLab notes (${copies.map((x) => `${x.note.id} on #${x.issue.iid}`).join(', ')})`,
          keys: keysOf(note, [...related, ...copies.map((x) => `gl-note#${s.gpid}#${x.note.id}`)]),
        });
      if (copies.length === 0)
        problems.push({
          kind: 'lost',
          item: note.item,
          note: note.key,
          side: 'gitlab',
          count: 1,
          detail: `${ref}: in no GitLab note`,
          keys: keysOf(note, related),
        });
      for (const copy of copies)
        if (pair?.issue && copy.issue.iid !== pair.issue.iid)
          problems.push({
            kind: 'diverged',
            item: note.item,
            note: note.key,
            side: 'gitlab',
            count: 1,
            detail: `${ref}: copied to a note on #${copy.issue.iid}, not on #${pair.issue.iid}`,
            keys: keysOf(note, related),
          });
    }
  }
  return count;
}

/** A field that ended with a lost value on both sides (they agree on the wrong value) counts once. */
function mergeSides(problems: Problem[]): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    if (p.kind === 'lost' && p.field) {
      const id = `${p.item}|${p.field}`;
      if (seen.has(id)) continue;
      seen.add(id);
    }
    out.push(p);
  }
  return out;
}

function describeItem(item: PersonItem): string {
  return `${item.key} (made in ${item.origin === 'gitlab' ? `GitLab as #${item.id}` : `Spira as IN:${item.id}`})`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
