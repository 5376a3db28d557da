import { describe, expect, it } from 'vitest';
import { commentRef } from '../../lib/domain/comment-to-note.js';
import { incidentRef } from '../../lib/domain/incident-to-issue.js';
import { issueRef } from '../../lib/domain/issue-to-incident.js';
import { keys } from '../../lib/domain/link.js';
import { markersIn } from '../../lib/domain/marker.js';
import { milestoneRef, releaseRef } from '../../lib/domain/milestone-release.js';
import { noteRef } from '../../lib/domain/note-to-comment.js';
import {
  groupOf,
  type ItemRef,
  isMarkerOf,
  keyOf,
  markerRefOf,
  parseKey,
  parseMarkerRef,
  refOfKey,
} from '../../lib/domain/pair/item-ref.js';
import { auditKeyOf, messageGroupOf, type SyncCommand } from '../../lib/domain/sync-command.js';

// The encodings are stored (DynamoDB keys, markers in people's items, FIFO groups of queued messages):
// these literals are what earlier versions wrote, and must stay byte for byte.
const base = { v: 1, spiraProjectId: 3, gitlabProjectId: 12, eventAt: '2026-12-01T10:00:00Z' } as const;

describe('item identities (ItemRef) and their stored encodings', () => {
  it('writes link keys exactly as before', () => {
    expect(keys.gitlabIssue(12, 5)).toBe('gl-issue#12#5');
    expect(keys.spiraIncident(3, 900)).toBe('sp-incident#3#900');
    expect(keys.gitlabNote(12, 77)).toBe('gl-note#12#77');
    expect(keys.gitlabNoteEdit(12, 77, '2026-12-01T10:00:00Z')).toBe(
      'gl-note-edit#12#77#2026-12-01T10:00:00Z',
    );
    expect(keys.spiraComment(3, 41)).toBe('sp-comment#3#41');
    expect(keys.gitlabMilestone(12, 8)).toBe('gl-milestone#12#8');
    expect(keys.spiraRelease(3, 6)).toBe('sp-release#3#6');
  });

  it('writes marker refs exactly as before', () => {
    expect(issueRef({ projectId: 12, iid: 5 })).toBe('gitlab-issue:12/5');
    expect(incidentRef({ projectId: 3, incidentId: 900 })).toBe('spira-incident:3/900');
    expect(noteRef({ projectId: 12, noteId: 77 })).toBe('gitlab-note:12/77');
    expect(noteRef({ projectId: 12, noteId: 77 }, '2026-12-01T10:00:00Z')).toBe(
      'gitlab-note-edit:12/77@2026-12-01T10:00:00Z',
    );
    expect(commentRef(3, 41)).toBe('spira-comment:3/41');
    expect(milestoneRef({ projectId: 12, id: 8 })).toBe('gitlab-milestone:12/8');
    expect(releaseRef({ projectId: 3, releaseId: 6 })).toBe('spira-release:3/6');
  });

  it('puts each command in the same FIFO group and audit key as before', () => {
    const cases: [SyncCommand, string, string][] = [
      [{ ...base, kind: 'gitlab.issue', iid: 5 }, 'gl-12-issue-5', 'gl-issue#12#5'],
      [{ ...base, kind: 'gitlab.note', iid: 5, noteId: 77 }, 'gl-12-issue-5', 'gl-issue#12#5'],
      [{ ...base, kind: 'gitlab.milestone', milestoneId: 8 }, 'gl-12-milestone-8', 'gl-milestone#12#8'],
      [
        { ...base, kind: 'spira.comment', incidentId: 900, commentId: 41, iid: 5 },
        'gl-12-issue-5',
        'gl-issue#12#5',
      ],
      [{ ...base, kind: 'spira.incident', incidentId: 900 }, 'sp-3-incident-900', 'sp-incident#3#900'],
      [{ ...base, kind: 'spira.incident', incidentId: 900, iid: 5 }, 'gl-12-issue-5', 'gl-issue#12#5'],
      [{ ...base, kind: 'spira.release', releaseId: 6 }, 'sp-3-release-6', 'sp-release#3#6'],
      [
        { ...base, kind: 'spira.release', releaseId: 6, milestoneId: 8 },
        'gl-12-milestone-8',
        'gl-milestone#12#8',
      ],
    ];
    for (const [command, group, auditKey] of cases) {
      expect(messageGroupOf(command), command.kind).toBe(group);
      expect(auditKeyOf(command), command.kind).toBe(auditKey);
    }
  });

  it('parses back every key, marker ref it writes, and formats the group', () => {
    const refs: ItemRef[] = [
      { system: 'gitlab', kind: 'issue', projectId: 12, id: 5 },
      { system: 'gitlab', kind: 'note', projectId: 12, id: 77 },
      { system: 'gitlab', kind: 'milestone', projectId: 12, id: 8 },
      { system: 'spira', kind: 'incident', projectId: 3, id: 900 },
      { system: 'spira', kind: 'comment', projectId: 3, id: 41 },
      { system: 'spira', kind: 'release', projectId: 3, id: 6 },
    ];
    for (const ref of refs) {
      expect(parseKey(keyOf(ref))).toEqual(ref);
      expect(refOfKey(keyOf(ref))).toEqual(ref);
      expect(parseMarkerRef(markerRefOf(ref))).toEqual(ref);
    }
    // A dry run's simulated items have ids below zero.
    expect(parseKey('gl-issue#12#-3')).toEqual({ system: 'gitlab', kind: 'issue', projectId: 12, id: -3 });
    expect(groupOf(refs[0] as ItemRef)).toBe('gl-12-issue-5');
    expect(groupOf(refs[3] as ItemRef)).toBe('sp-3-incident-900');
  });

  it('names no item for other keys and markers, and refuses a key the sync did not make', () => {
    expect(parseKey('gl-note-edit#12#77#2026-12-01T10:00:00Z')).toBeUndefined();
    expect(parseKey('sp-incident-deleted#3#900')).toBeUndefined();
    expect(parseKey('gl-incident#3#900')).toBeUndefined();
    expect(parseKey('gl-issue#12')).toBeUndefined();
    expect(parseMarkerRef('spira-deleted:3/900')).toBeUndefined();
    expect(parseMarkerRef('gitlab-note-edit:12/77@2026-12-01T10:00:00Z')).toBeUndefined();
    expect(parseMarkerRef('gitlab-issue:12/five')).toBeUndefined();
    expect(() => refOfKey('cursor#spira-1')).toThrow('not an item key: cursor#spira-1');
  });

  it('tells whose a marker is by its prefix, as the echo checks always have', () => {
    const [ref] = markersIn('text <!-- spira-gitlab-sync spira-deleted:3/900 -->');
    expect(ref).toBe('spira-deleted:3/900');
    expect(isMarkerOf(ref as string, 'spira')).toBe(true);
    expect(isMarkerOf(ref as string, 'gitlab')).toBe(false);
    expect(isMarkerOf('gitlab-issue:12/5', 'gitlab', 'issue')).toBe(true);
    expect(isMarkerOf('gitlab-issue:12/5', 'gitlab', 'note')).toBe(false);
    expect(isMarkerOf('gitlab-note-edit:12/77@x', 'gitlab', 'note')).toBe(false);
  });
});
