import { extractQuickActions } from './markdown.js';
import type {
  GitLabStore,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  ProjectRecord,
  UserRecord,
} from './store.js';

/** The params quick actions merge into an issue update (GitLab's `@updates`), snake-cased as in `commands_changes`. */
export interface QuickUpdates {
  state_event?: 'close' | 'reopen';
  title?: string;
  label_ids?: number[];
  add_label_ids?: number[];
  remove_label_ids?: number[];
  assignee_ids?: number[];
  milestone_id?: number | null;
  due_date?: string | null;
  confidential?: boolean;
  discussion_locked?: boolean;
}

/** Outcome of interpreting a text: the text without its command lines, the updates and the messages. */
export interface QuickActionResult {
  content: string;
  updates: QuickUpdates;
  messages: string[];
  /** How many command lines were found (executed or not). */
  commandCount: number;
}

interface QuickContext {
  store: GitLabStore;
  actor: UserRecord;
  project: ProjectRecord;
  /** `undefined` while the issue is being created (`quick_action_target.persisted?` is false). */
  issue: IssueRecord | undefined;
  updates: QuickUpdates;
  messages: string[];
}

type Command = (ctx: QuickContext, arg: string | undefined) => void;

const LABEL_REF = /~(?:(\d+)|"([^"]+)"|([A-Za-z0-9_\-?.&:]+))/g;

/** `find_labels`: `~name`, `~"two words"`, `~id`, or bare names when no `~` is used; existing labels only. */
function findLabels(ctx: QuickContext, arg: string | undefined): LabelRecord[] {
  const labels = ctx.store.projectLabels(ctx.project.id);
  if (!arg) return labels;
  const refs = arg.includes('~')
    ? [...arg.matchAll(LABEL_REF)].map((m) => ({ id: m[1], title: m[2] ?? m[3] }))
    : [...arg.matchAll(/"([^"]+)"|([^ ]+)/g)].map((m) => ({ id: undefined, title: m[1] ?? m[2] }));
  const found = new Map<number, LabelRecord>();
  for (const ref of refs) {
    const label = ref.id
      ? labels.find((l) => l.id === Number(ref.id))
      : labels.find((l) => l.title === ref.title);
    if (label) found.set(label.id, label);
  }
  return [...found.values()];
}

function findUsers(ctx: QuickContext, arg: string | undefined): UserRecord[] {
  const users: UserRecord[] = [];
  for (const word of (arg ?? '').split(/[\s,]+/).filter((w) => w && w !== 'and')) {
    const user = word === 'me' ? ctx.actor : ctx.store.userByUsername(word.replace(/^@/, ''));
    if (!user) return [];
    users.push(user);
  }
  return users;
}

function findMilestone(ctx: QuickContext, arg: string): MilestoneRecord | undefined {
  const milestones = ctx.store.projectMilestones(ctx.project.id);
  const ref = /^%(?:(\d+)|"([^"]+)"|(\S+))/.exec(arg);
  if (ref?.[1]) return milestones.find((m) => m.iid === Number(ref[1]));
  const title = ref ? (ref[2] ?? ref[3]) : arg;
  return milestones.find((m) => m.title === title);
}

const labelRefs = (labels: LabelRecord[]) => labels.map((l) => `~${l.title}`).join(' ');
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

const setState =
  (event: 'close' | 'reopen', whenState: 1 | 2, message: string): Command =>
  (ctx) => {
    if (ctx.issue?.stateId !== whenState) return;
    ctx.updates.state_event = event;
    ctx.messages.push(message);
  };

const addLabels: Command = (ctx, arg) => {
  const labels = findLabels(ctx, arg);
  if (!arg || labels.length === 0) return;
  ctx.updates.add_label_ids = [
    ...new Set([...(ctx.updates.add_label_ids ?? []), ...labels.map((l) => l.id)]),
  ];
  ctx.messages.push(`Added ${labelRefs(labels)} ${plural(labels.length, 'label')}.`);
};

const removeLabels: Command = (ctx, arg) => {
  if (!ctx.issue || ctx.issue.labelIds.length === 0) return;
  if (!arg) {
    ctx.updates.label_ids = [];
    ctx.messages.push('Removed all labels.');
    return;
  }
  const labels = findLabels(ctx, arg);
  if (labels.length === 0) return;
  ctx.updates.remove_label_ids = [
    ...new Set([...(ctx.updates.remove_label_ids ?? []), ...labels.map((l) => l.id)]),
  ];
  ctx.messages.push(`Removed ${labelRefs(labels)} ${plural(labels.length, 'label')}.`);
};

const relabel: Command = (ctx, arg) => {
  const labels = findLabels(ctx, arg);
  if (!ctx.issue || ctx.issue.labelIds.length === 0 || !arg || labels.length === 0) return;
  ctx.updates.label_ids = labels.map((l) => l.id);
  ctx.messages.push(`Replaced all labels with ${labelRefs(labels)} ${plural(labels.length, 'label')}.`);
};

/** Free tier: a single assignee, the first user named. */
const assign: Command = (ctx, arg) => {
  const [first] = findUsers(ctx, arg);
  if (!first) {
    ctx.messages.push('Failed to assign a user because no user was found.');
    return;
  }
  ctx.updates.assignee_ids = [first.id];
  ctx.messages.push(`Assigned @${first.username}.`);
};

const unassign: Command = (ctx) => {
  if (!ctx.issue || ctx.issue.assigneeIds.length === 0) return;
  const names = ctx.issue.assigneeIds.map((id) => `@${ctx.store.userOf(id).username}`);
  ctx.updates.assignee_ids = [];
  ctx.messages.push(`Removed ${plural(names.length, 'assignee')} ${names.join(' and ')}.`);
};

const setMilestone: Command = (ctx, arg) => {
  const active = ctx.store.projectMilestones(ctx.project.id).some((m) => m.state === 'active');
  const milestone = arg && active ? findMilestone(ctx, arg.trim()) : undefined;
  if (!milestone) return;
  ctx.updates.milestone_id = milestone.id;
  ctx.messages.push(`Set the milestone to %"${milestone.title}".`);
};

const removeMilestone: Command = (ctx) => {
  const milestoneId = ctx.issue?.milestoneId;
  if (milestoneId === undefined || milestoneId === null) return;
  ctx.updates.milestone_id = null;
  ctx.messages.push(`Removed %"${ctx.store.milestones.get(milestoneId)?.title}" milestone.`);
};

const setTitle: Command = (ctx, arg) => {
  if (!ctx.issue || !arg) return;
  ctx.updates.title = arg;
  ctx.messages.push(`Changed the title to "${arg}".`);
};

const setDue: Command = (ctx, arg) => {
  if (!arg || !/^\d{4}-\d{2}-\d{2}$/.test(arg)) return;
  ctx.updates.due_date = arg;
  ctx.messages.push(`Set the due date to ${arg}.`);
};

const removeDue: Command = (ctx) => {
  if (!ctx.issue?.dueDate) return;
  ctx.updates.due_date = null;
  ctx.messages.push('Removed the due date.');
};

const makeConfidential: Command = (ctx) => {
  if (ctx.issue?.confidential) return;
  ctx.updates.confidential = true;
  ctx.messages.push('Made this issue confidential.');
};

const setLock =
  (locked: boolean): Command =>
  (ctx) => {
    if (!ctx.issue || Boolean(ctx.issue.discussionLocked) === locked) return;
    ctx.updates.discussion_locked = locked;
    ctx.messages.push(locked ? 'Locked the discussion.' : 'Unlocked the discussion.');
  };

/** The commands this stand-in executes, with GitLab's availability conditions. */
const COMMANDS: Record<string, Command> = {
  close: setState('close', 1, 'Closed this issue.'),
  reopen: setState('reopen', 2, 'Reopened this issue.'),
  title: setTitle,
  label: addLabels,
  labels: addLabels,
  unlabel: removeLabels,
  remove_label: removeLabels,
  relabel,
  assign,
  unassign,
  milestone: setMilestone,
  remove_milestone: removeMilestone,
  due: setDue,
  remove_due_date: removeDue,
  confidential: makeConfidential,
  lock: setLock(true),
  unlock: setLock(false),
};

/** `QuickActions::InterpretService#execute` for an issue description or a comment on an issue. */
export function interpretQuickActions(
  store: GitLabStore,
  actor: UserRecord,
  project: ProjectRecord,
  issue: IssueRecord | undefined,
  text: string,
): QuickActionResult {
  const { content, commands } = extractQuickActions(text);
  const ctx: QuickContext = { store, actor, project, issue, updates: {}, messages: [] };
  for (const { name, arg } of commands) COMMANDS[name]?.(ctx, arg);
  return { content, updates: ctx.updates, messages: ctx.messages, commandCount: commands.length };
}
