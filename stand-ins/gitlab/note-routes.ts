import { ApiError, notFound, paginate, paramError } from './http.js';
import type { NoteWriteResult } from './notes.js';
import { presentNote, presentUserBasic, restTime } from './present.js';
import {
  type Route,
  type RouteContext,
  type RouteResult,
  requireIssue,
  requireProject,
  route,
} from './routing.js';
import type { IssueRecord, NoteRecord } from './store.js';

const ISSUE_NOTES = /^projects\/([^/]+)\/issues\/(\d+)\/notes$/;
const ISSUE_NOTE = /^projects\/([^/]+)\/issues\/(\d+)\/notes\/(\d+)$/;

function issueOf(ctx: RouteContext, m: string[]): IssueRecord {
  return requireIssue(ctx, requireProject(ctx, m[1]), m[2]);
}

function noteOf(ctx: RouteContext, m: string[]): NoteRecord {
  const issue = issueOf(ctx, m);
  const note = ctx.services.store.notes.get(Number(m[3]));
  if (!note || note.issueId !== issue.id) throw notFound('Note');
  return note;
}

/** Only the author may edit or delete a comment here; system notes are nobody's to change. */
function requireAuthor(ctx: RouteContext, note: NoteRecord): void {
  if (note.system || note.authorId !== ctx.actor.user.id)
    throw new ApiError(403, { message: '403 Forbidden' });
}

function requireBody(ctx: RouteContext): string {
  const body = ctx.params.string('body');
  if (body === undefined) throw paramError('body is missing');
  return body;
}

/** 201/200 with the note, or 202 with `Entities::NoteCommands` when only commands were sent. */
function answer(ctx: RouteContext, result: NoteWriteResult, status: number): RouteResult {
  const { store } = ctx.services;
  if (result.kind === 'note')
    return { status, body: presentNote(store, result.note, result.commandsChanges) };
  if (result.note) return { status, body: presentNote(store, result.note, result.commandsChanges) };
  return { status: 202, body: { commands_changes: result.commandsChanges, summary: result.summary } };
}

function listNotes(ctx: RouteContext, m: string[]): RouteResult {
  const issue = issueOf(ctx, m);
  const p = ctx.params;
  const desc = p.oneOf('sort', ['asc', 'desc'], 'desc') === 'desc';
  const orderBy = p.oneOf('order_by', ['created_at', 'updated_at'], 'created_at');
  const filter = p.oneOf('activity_filter', ['all_notes', 'only_comments', 'only_activity'], 'all_notes');
  const key = (n: NoteRecord) => (orderBy === 'updated_at' ? n.updatedAt : n.createdAt);
  const notes = ctx.services.store
    .issueNotes(issue.id)
    .filter((n) => filter === 'all_notes' || n.system === (filter === 'only_activity'))
    .sort((a, b) => (key(a) - key(b) || a.id - b.id) * (desc ? -1 : 1));
  const page = paginate(notes, p, ctx.url);
  return {
    status: 200,
    body: page.items.map((n) => presentNote(ctx.services.store, n)),
    headers: page.headers,
  };
}

function createNote(ctx: RouteContext, m: string[]): RouteResult {
  const issue = issueOf(ctx, m);
  const body = requireBody(ctx);
  const internal = ctx.params.bool('internal') ?? ctx.params.bool('confidential') ?? false;
  return answer(ctx, ctx.services.notes.create(ctx.actor, issue, body, internal), 201);
}

function updateNote(ctx: RouteContext, m: string[]): RouteResult {
  const note = noteOf(ctx, m);
  requireAuthor(ctx, note);
  return answer(ctx, ctx.services.notes.update(ctx.actor, note, requireBody(ctx)), 200);
}

const STATE_EVENTS = /^projects\/([^/]+)\/issues\/(\d+)\/resource_state_events$/;

/**
 * `GET …/resource_state_events`: every close and reopen of the issue, oldest first (GitLab records them as
 * resource events; here they are read from the state system notes made at the same moment).
 */
function listStateEvents(ctx: RouteContext, m: string[]): RouteResult {
  const issue = issueOf(ctx, m);
  const { store } = ctx.services;
  const events = store
    .issueNotes(issue.id)
    .filter((n) => n.system && (n.body === 'closed' || n.body === 'reopened'))
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const page = paginate(events, ctx.params, ctx.url);
  return {
    status: 200,
    body: page.items.map((n) => ({
      id: n.id,
      user: presentUserBasic(store, store.userOf(n.authorId)),
      created_at: restTime(n.createdAt),
      resource_type: 'Issue',
      resource_id: issue.id,
      state: n.body,
    })),
    headers: page.headers,
  };
}

/** Notes on issues: list, get, create, edit, delete; and the issue's state events. */
export const noteRoutes: Route[] = [
  route('GET', ISSUE_NOTES, listNotes),
  route('GET', STATE_EVENTS, listStateEvents),
  route('POST', ISSUE_NOTES, createNote),
  route('GET', ISSUE_NOTE, (ctx, m) => ({
    status: 200,
    body: presentNote(ctx.services.store, noteOf(ctx, m)),
  })),
  route('PUT', ISSUE_NOTE, updateNote),
  route('DELETE', ISSUE_NOTE, (ctx, m) => {
    const note = noteOf(ctx, m);
    requireAuthor(ctx, note);
    ctx.services.notes.delete(note);
    return { status: 204 };
  }),
];
