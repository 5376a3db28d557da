import { describe, expect, it } from 'vitest';
import { marker } from '../../lib/domain/marker.js';
import { findIncidentByMarker, markersInHistory } from '../../lib/engine/spira-writes.js';
import { MemorySpira } from '../fakes/memory-spira.js';

const PID = 1;
const REF = 'gitlab-issue:42/5';
const at = (minute: number) =>
  new Date(Date.parse('2026-12-01T10:00:00.000Z') + minute * 60_000).toISOString();

function spiraWith(...incidents: { id: number; description: string | null; createdAt: string }[]) {
  const spira = new MemorySpira(99, { 1: 'New' }, () => at(60));
  for (const { id, description, createdAt } of incidents)
    spira.add(
      {
        IncidentId: id,
        ProjectId: PID,
        Name: `incident ${id}`,
        Description: description,
        IncidentStatusId: 1,
        OpenerId: null,
        OwnerId: null,
      },
      createdAt,
    );
  return spira;
}

describe('adopting the counterpart of a crashed create (findIncidentByMarker)', () => {
  it('finds the incident carrying our marker, created since 5 minutes before the first claim', async () => {
    const spira = spiraWith(
      { id: 1, description: 'other', createdAt: at(-4) },
      { id: 2, description: `text ${marker(REF)}`, createdAt: at(-4) },
    );
    expect(await findIncidentByMarker(spira, PID, REF, at(0))).toBe(2);
  });

  it('does not look before that window (an older marked incident is not this claim’s)', async () => {
    const spira = spiraWith({ id: 2, description: `text ${marker(REF)}`, createdAt: at(-6) });
    expect(await findIncidentByMarker(spira, PID, REF, at(0))).toBeUndefined();
  });

  it('reads every page of 500 until a short one', async () => {
    const many = Array.from({ length: 501 }, (_, n) => ({ id: n + 1, description: 'x', createdAt: at(1) }));
    const spira = spiraWith(...many, { id: 999, description: marker(REF), createdAt: at(2) });
    expect(await findIncidentByMarker(spira, PID, REF, at(0))).toBe(999);
    expect(spira.calls).toEqual(['searchIncidents 1', 'searchIncidents 501']);
  });

  it('falls back to an unmarked incident the caller accepts as the orphan (its marker edited away)', async () => {
    const spira = spiraWith(
      { id: 3, description: `text ${marker('gitlab-issue:42/6')}`, createdAt: at(1) },
      { id: 4, description: 'marker replaced by a person', createdAt: at(1) },
      { id: 5, description: null, createdAt: at(2) },
    );
    const asked: number[] = [];
    const found = await findIncidentByMarker(spira, PID, REF, at(0), async (incident) => {
      asked.push(incident.IncidentId);
      return incident.IncidentId === 5;
    });
    expect(found).toBe(5);
    // A marked incident is never an orphan candidate: it belongs to another item.
    expect(asked).toEqual([4, 5]);
  });

  it('reads the markers a description carried before a person replaced it, from the history', async () => {
    const spira = spiraWith({ id: 7, description: `made by the sync ${marker(REF)}`, createdAt: at(0) });
    spira.edit(7, { Description: 'rewritten by a person' }, 2, at(1));
    expect(await markersInHistory(spira, PID, 7)).toEqual([REF]);
  });
});
