import type { World } from '../stack.js';

/** Where a change starts. */
export type Direction = 'GitLab → Spira' | 'Spira → GitLab';

/** The items the changes act on, made by the create changes and reused by the others. */
export interface ChangeItems {
  iid?: number;
  incidentId?: number;
}

/** One kind of real change a person makes, and the queue command that carries it. */
export interface ChangeSpec {
  name: string;
  direction: Direction;
  kind: string;
  act(world: World, items: ChangeItems): Promise<void>;
}

const issuePath = (world: World, items: ChangeItems) =>
  `projects/${world.demo.gitlabProjectId}/issues/${required(items.iid, 'issue')}`;

/** The eight changes of row 4, in the order they run (creates first: the others act on what they made). */
export const CHANGES: readonly ChangeSpec[] = [
  {
    name: 'issue create',
    direction: 'GitLab → Spira',
    kind: 'gitlab.issue',
    act: async (world, items) => {
      const issue = await world.gitlabAs('fred', 'POST', `projects/${world.demo.gitlabProjectId}/issues`, {
        title: 'Calls probe (GitLab-born)',
        description: 'The export button does nothing.',
      });
      items.iid = Number(issue.iid);
    },
  },
  {
    name: 'issue update (title)',
    direction: 'GitLab → Spira',
    kind: 'gitlab.issue',
    act: async (world, items) => {
      await world.gitlabAs('fred', 'PUT', issuePath(world, items), { title: 'Calls probe, renamed' });
    },
  },
  {
    name: 'note',
    direction: 'GitLab → Spira',
    kind: 'gitlab.note',
    act: async (world, items) => {
      await world.gitlabAs('joe', 'POST', `${issuePath(world, items)}/notes`, {
        body: 'Reproduced on main.',
      });
    },
  },
  {
    name: 'status change (close)',
    direction: 'GitLab → Spira',
    kind: 'gitlab.issue',
    act: async (world, items) => {
      await world.gitlabAs('fred', 'PUT', issuePath(world, items), { state_event: 'close' });
    },
  },
  {
    name: 'incident create',
    direction: 'Spira → GitLab',
    kind: 'spira.incident',
    act: async (world, items) => {
      const incident = world.spira.createIncident(world.demo.spiraProjectId, world.demo.spira.amy, {
        Name: 'Calls probe (Spira-born)',
        Description: '<p>Totals are off by one.</p>',
      });
      items.incidentId = incident.IncidentId;
    },
  },
  {
    name: 'incident update (name)',
    direction: 'Spira → GitLab',
    kind: 'spira.incident',
    act: async (world, items) => {
      world.spira.updateIncident(world.demo.spiraProjectId, incidentOf(items), world.demo.spira.amy, {
        Name: 'Calls probe (Spira-born), renamed',
      });
    },
  },
  {
    name: 'comment',
    direction: 'Spira → GitLab',
    kind: 'spira.comment',
    act: async (world, items) => {
      world.spira.addComment(
        world.demo.spiraProjectId,
        incidentOf(items),
        world.demo.spira.amy,
        '<p>Still off.</p>',
      );
    },
  },
  {
    name: 'status change (close)',
    direction: 'Spira → GitLab',
    kind: 'spira.incident',
    act: async (world, items) => {
      const pid = world.demo.spiraProjectId;
      const closed = world.spira.statuses(pid).find((s) => s.Name === 'Closed');
      world.spira.updateIncident(pid, incidentOf(items), world.demo.spira.amy, {
        IncidentStatusId: required(closed?.IncidentStatusId, 'Closed status'),
      });
    },
  },
];

function incidentOf(items: ChangeItems): number {
  return required(items.incidentId, 'incident');
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`row 4: no ${what} yet (the create change must run first)`);
  return value;
}
