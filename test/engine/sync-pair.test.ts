import { describe, expect, it } from 'vitest';
import { StatusNotAppliedError } from '../../lib/domain/errors.js';
import type { Side } from '../../lib/domain/merge.js';
import { issueViewOf, recordConflicts, syncPair } from '../../lib/engine/sync-pair.js';
import { ALICE, at, BOB, baseline, GPID, IID, INCIDENT, linkedPair, PID } from './pair-harness.js';

type Pair = ReturnType<typeof linkedPair>;

/** Syncs the pair as the worker does for a command from `tie`'s side, with both sides read now. */
async function sync(pair: Pair, tie: Side) {
  const record = await pair.links.get(`gl-issue#${GPID}#${IID}`);
  if (!record) throw new Error('no pair record');
  const issue = issueViewOf(await pair.gitlab.issue(GPID, IID));
  const incident = await pair.spira.incident(PID, INCIDENT);
  pair.gitlab.calls.length = 0;
  pair.spira.calls.length = 0;
  return syncPair(pair.deps, record, issue, incident, pair.ctx, tie);
}

const historyReads = (pair: Pair) =>
  [...pair.gitlab.calls, ...pair.spira.calls].filter((c) =>
    /^(latestNotes|stateEvents|incidentHistory)/.test(c),
  );

describe('a linked pair, synced (syncPair over in-memory ports)', () => {
  it('carries a change made on one side only, reading no history, notes or state events', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.gitlab.edit(GPID, IID, { title: 'Printer still on fire' }, ALICE, at(2));
    pair.clock.now = at(3);
    const outcome = await sync(pair, 'gitlab');
    expect(outcome).toMatchObject({ action: 'updated', fields: ['Spira Name'] });
    expect(pair.spira.incidents.get(INCIDENT)?.Name).toBe('Printer still on fire');
    expect(historyReads(pair)).toEqual([]);
    // Synced: the same state again is no change.
    expect(await sync(pair, 'gitlab')).toEqual({ action: 'skipped', reason: 'both sides already agree' });
  });

  it('decides a conflict by when people changed that field on each side, not by the items’ last updates', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.gitlab.edit(GPID, IID, { title: 'GitLab title' }, ALICE, at(2));
    pair.spira.edit(INCIDENT, { Name: 'Spira name' }, BOB, at(5));
    // The issue's last update (minute 8) is later than Spira's, but its title changed earlier (minute 2).
    pair.gitlab.edit(GPID, IID, { description: 'It smokes a lot.' }, ALICE, at(8));
    pair.clock.now = at(10);
    await sync(pair, 'gitlab');
    expect(pair.gitlab.issues.get(`${GPID}/${IID}`)?.title).toBe('Spira name');
    expect(pair.spira.incidents.get(INCIDENT)?.Name).toBe('Spira name');
    const conflicts = (await pair.audit.history(`gl-issue#${GPID}#${IID}`)).filter(
      (e) => e.kind === 'conflict',
    );
    expect(conflicts.map((c) => c.detail)).toEqual([
      `title/name changed on both sides (GitLab "GitLab title" at ${at(2)}, Spira "Spira name" at ${at(5)}): Spira wins (later change)`,
    ]);
  });

  it('records the same conflict once when it is seen again (a retry, or the other direction)', async () => {
    const pair = linkedPair();
    const record = await baseline(pair);
    const conflict = {
      gitlabField: 'title',
      spiraField: 'name',
      winner: 'spira',
      gitlabAt: at(2),
      spiraAt: at(5),
    } as const;
    const values = { gitlab: { title: 'a' }, spira: { name: 'b' } };
    await recordConflicts(pair.deps, record, PID, [conflict], values);
    await recordConflicts(pair.deps, record, PID, [conflict], values);
    expect(await pair.audit.history(record.pk)).toHaveLength(1);
  });

  it('lets an issue closed and reopened by a person after Spira’s close win: the incident is reopened (away and back)', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.spira.edit(INCIDENT, { IncidentStatusId: 4 }, BOB, at(3));
    pair.gitlab.edit(GPID, IID, { state_event: 'close' }, ALICE, at(5));
    pair.gitlab.edit(GPID, IID, { state_event: 'reopen' }, ALICE, at(6));
    pair.clock.now = at(10);
    await sync(pair, 'spira');
    expect(pair.gitlab.issues.get(`${GPID}/${IID}`)?.state).toBe('opened');
    expect(pair.spira.incidents.get(INCIDENT)?.IncidentStatusId).toBe(1);
    expect(historyReads(pair)).toContain(`stateEvents ${IID}`);
  });

  it('lets Spira’s later close win over an issue closed and reopened before it', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.gitlab.edit(GPID, IID, { state_event: 'close' }, ALICE, at(1));
    pair.gitlab.edit(GPID, IID, { state_event: 'reopen' }, ALICE, at(2));
    pair.spira.edit(INCIDENT, { IncidentStatusId: 4 }, BOB, at(3));
    pair.clock.now = at(10);
    await sync(pair, 'spira');
    expect(pair.gitlab.issues.get(`${GPID}/${IID}`)?.state).toBe('closed');
    expect(pair.spira.incidents.get(INCIDENT)?.IncidentStatusId).toBe(4);
  });

  it('lets an incident name changed away and back by a person after the GitLab change win (Spira history)', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.gitlab.edit(GPID, IID, { title: 'GitLab title' }, ALICE, at(3));
    pair.spira.edit(INCIDENT, { Name: 'Something else' }, BOB, at(5));
    pair.spira.edit(INCIDENT, { Name: 'Printer on fire' }, BOB, at(6));
    pair.clock.now = at(10);
    await sync(pair, 'gitlab');
    expect(pair.spira.incidents.get(INCIDENT)?.Name).toBe('Printer on fire');
    expect(pair.gitlab.issues.get(`${GPID}/${IID}`)?.title).toBe('Printer on fire');
    expect(historyReads(pair)).toContain(`incidentHistory ${INCIDENT}`);
  });

  it('fails a status Spira silently kept (Status Bulk Edit off) and keeps the old state hash, so a replay tries again', async () => {
    const pair = linkedPair();
    const before = await baseline(pair);
    pair.gitlab.edit(GPID, IID, { state_event: 'close' }, ALICE, at(2));
    pair.spira.refuseStatus = true;
    pair.clock.now = at(3);
    await expect(sync(pair, 'gitlab')).rejects.toBeInstanceOf(StatusNotAppliedError);
    const after = await pair.links.get(before.pk);
    expect(after?.gitlabHashes?.state).toBe(before.gitlabHashes?.state);
    expect(pair.spira.incidents.get(INCIDENT)?.IncidentStatusId).toBe(1);
  });

  it('does not take a status a person set back right after our write for Spira refusing ours (history shows ours)', async () => {
    const pair = linkedPair();
    await baseline(pair);
    pair.gitlab.edit(GPID, IID, { state_event: 'close' }, ALICE, at(2));
    pair.clock.now = at(3);
    const put = pair.spira.updateIncident.bind(pair.spira);
    pair.spira.updateIncident = async (incident) => {
      await put(incident);
      pair.spira.edit(INCIDENT, { IncidentStatusId: 1 }, BOB, at(3));
    };
    await expect(sync(pair, 'gitlab')).resolves.toMatchObject({ action: 'updated' });
  });
});
