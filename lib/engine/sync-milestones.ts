import type { GitLabMilestone } from '../connectors/gitlab/rest-schemas.js';
import type { SpiraRelease } from '../connectors/spira/spira-schemas.js';
import { ConcurrencyConflictError, CounterpartPendingError, RemoteNotFoundError } from '../domain/errors.js';
import { changedFields, fingerprintFields } from '../domain/fingerprint.js';
import { keys, type LinkRecord, targetIdOf } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { mergeFields, nextHashes } from '../domain/merge.js';
import {
  MILESTONE_PAIRS,
  type MilestoneView,
  milestoneFields,
  milestonePatchFor,
  milestoneRef,
  newMilestoneFor,
  newReleaseFor,
  type ReleaseView,
  releaseFields,
  releasePatchFor,
  releaseRef,
} from '../domain/milestone-release.js';
import { isMarkerOf, parseMarkerRef } from '../domain/pair/item-ref.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce, pointerBack } from './create-once.js';
import type { ProjectContext } from './project-context.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';

const viewOfMilestone = (m: GitLabMilestone, projectId: number): MilestoneView => ({
  projectId,
  id: m.id,
  iid: m.iid,
  title: m.title,
  description: m.description,
  state: m.state,
  startDate: m.start_date ?? null,
  dueDate: m.due_date ?? null,
  createdAt: m.created_at,
  updatedAt: m.updated_at,
});
const viewOfRelease = (r: SpiraRelease, projectId: number): ReleaseView => ({
  ...r,
  projectId,
  releaseId: r.ReleaseId,
});
const hashesOf = (m: MilestoneView, r: ReleaseView) => ({
  gitlabHashes: fingerprintFields(milestoneFields(m)),
  spiraHashes: fingerprintFields(releaseFields(r)),
});

/** The pair record of a milestone: config pairs get one (a baseline, no writes) the first time they are met. */
async function pairOf(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  m: MilestoneView,
): Promise<LinkRecord | undefined> {
  const key = keys.gitlabMilestone(gpid, m.id);
  const known = await deps.links.get(key);
  if (known?.state === 'linked') return known;
  const configured = ctx.project.releases.find((r) => r.gitlabMilestoneId === m.id);
  if (!configured) return undefined;
  const release = viewOfRelease(
    await deps.spira.release(ctx.project.spiraProjectId, configured.spiraReleaseId),
    ctx.project.spiraProjectId,
  );
  const init = { spiraProjectId: ctx.project.spiraProjectId, gitlabProjectId: gpid, ...hashesOf(m, release) };
  const { record } = await createOnce(deps, key, init, {
    adopt: async () => configured.spiraReleaseId,
    create: async () => configured.spiraReleaseId,
    idOf: String,
  });
  await pointerBack(deps.links, key, keys.spiraRelease(init.spiraProjectId, configured.spiraReleaseId), {
    spiraProjectId: init.spiraProjectId,
    gitlabProjectId: gpid,
  });
  return record;
}

/** GitLab milestone → Spira release: create it once, or apply what changed (three-way, like issues). */
export async function syncGitLabMilestone(
  deps: SyncDeps,
  command: SyncCommandOf<'gitlab.milestone'>,
): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId: gpid, milestoneId } = command;
  const ctx = await deps.contexts.get(pid, gpid);
  const rest = await deps.gitlab
    .milestone(gpid, milestoneId)
    .catch((e: unknown) => (e instanceof RemoteNotFoundError ? undefined : Promise.reject(e)));
  if (!rest) return { action: 'skipped', reason: 'milestone no longer exists in GitLab' };
  const milestone = viewOfMilestone(rest, gpid);
  if (
    markersIn(milestone.description).some((ref) => isMarkerOf(ref, 'spira', 'release')) &&
    !(await deps.links.get(keys.gitlabMilestone(gpid, milestoneId)))
  ) {
    throw new CounterpartPendingError(
      `milestone ${milestoneId} was created from Spira; its link is not recorded yet`,
    );
  }
  const pair = await pairOf(deps, ctx, gpid, milestone);
  if (pair) return pushMilestone(deps, pair, milestone, ctx);
  const key = keys.gitlabMilestone(gpid, milestoneId);
  const result = await createOnce(
    deps,
    key,
    { spiraProjectId: pid, gitlabProjectId: gpid },
    {
      adopt: async () =>
        (await deps.spira.releases(pid)).find((r) =>
          markersIn(r.Description).includes(milestoneRef(milestone)),
        )?.ReleaseId,
      create: async () => {
        const taken = new Set((await deps.spira.releases(pid)).map((r) => r.VersionNumber.toLowerCase()));
        return deps.spira.createRelease(pid, newReleaseFor(milestone, ctx.project.releaseTypeId, taken));
      },
      idOf: String,
      beforeComplete: (releaseId) =>
        pointerBack(deps.links, key, keys.spiraRelease(pid, releaseId), {
          spiraProjectId: pid,
          gitlabProjectId: gpid,
        }),
    },
  );
  if (!result.created && result.target === undefined)
    return pushMilestone(deps, result.record, milestone, ctx);
  const release = viewOfRelease(await deps.spira.release(pid, Number(result.record.targetId)), pid);
  await deps.links.save({ ...result.record, ...hashesOf(milestone, release) });
  return { action: 'created', target: `release ${release.releaseId} (${release.VersionNumber})` };
}

async function pushMilestone(
  deps: SyncDeps,
  pair: LinkRecord,
  milestone: MilestoneView,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const gitlabNow = fingerprintFields(milestoneFields(milestone));
  const changed = changedFields(gitlabNow, pair.gitlabHashes);
  if (changed.length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const pid = ctx.project.spiraProjectId;
  for (let attempt = 1; ; attempt++) {
    const current = await deps.spira.release(pid, Number(pair.targetId));
    const release = viewOfRelease(current, pid);
    const spiraChanged = changedFields(fingerprintFields(releaseFields(release)), pair.spiraHashes);
    const { apply, conflicts } = mergeFields(
      MILESTONE_PAIRS,
      'gitlab',
      { gitlab: changed, spira: spiraChanged },
      { gitlab: milestone.updatedAt, spira: current.LastUpdateDate },
    );
    const patch = releasePatchFor(milestone, apply, release);
    try {
      if (Object.keys(patch).length > 0) await deps.spira.updateRelease(pid, { ...current, ...patch });
    } catch (error) {
      if (error instanceof ConcurrencyConflictError && attempt < 4) continue;
      throw error;
    }
    const lost = conflicts.filter((c) => c.winner === 'spira').map((c) => c.gitlabField as string);
    const spiraNow = fingerprintFields(releaseFields({ ...release, ...patch }));
    const carried = apply.map((f) => MILESTONE_PAIRS.find(([g]) => g === f)?.[1] as string);
    await deps.links.save({
      ...pair,
      gitlabHashes: nextHashes(
        pair.gitlabHashes,
        gitlabNow,
        Object.keys(gitlabNow).filter((f) => !lost.includes(f)),
      ),
      spiraHashes: nextHashes(pair.spiraHashes, spiraNow, carried),
    });
    if (Object.keys(patch).length === 0)
      return { action: 'skipped', reason: `Spira already matches (${changed.join(', ')})` };
    return { action: 'updated', target: `release ${release.releaseId}`, fields: Object.keys(patch) };
  }
}

/** Spira release → GitLab milestone: create it once (then close it if needed), or push what changed. */
export async function syncSpiraRelease(
  deps: SyncDeps,
  command: SyncCommandOf<'spira.release'>,
): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId: gpid, releaseId } = command;
  const ctx = await deps.contexts.get(pid, gpid);
  const rest = await deps.spira
    .release(pid, releaseId)
    .catch((e: unknown) => (e instanceof RemoteNotFoundError ? undefined : Promise.reject(e)));
  if (!rest) return { action: 'skipped', reason: 'release no longer exists in Spira' };
  const release = viewOfRelease(rest, pid);
  const born = markersIn(release.Description)
    .map(parseMarkerRef)
    .find((ref) => ref?.system === 'gitlab' && ref.kind === 'milestone');
  const configured = ctx.project.releases.find((r) => r.spiraReleaseId === releaseId);
  const pointer = await deps.links.get(keys.spiraRelease(pid, releaseId));
  const milestoneId = born ? born.id : configured ? configured.gitlabMilestoneId : targetIdOf(pointer);
  if (milestoneId !== undefined) {
    const milestone = viewOfMilestone(await deps.gitlab.milestone(gpid, milestoneId), gpid);
    const pair = await pairOf(deps, ctx, gpid, milestone);
    if (!pair) throw new CounterpartPendingError(`release ${releaseId}: milestone link not recorded yet`);
    return pushRelease(deps, pair, release, rest.LastUpdateDate, milestone);
  }
  const ref = releaseRef(release);
  const result = await createOnce<GitLabMilestone>(
    deps,
    keys.spiraRelease(pid, releaseId),
    { spiraProjectId: pid, gitlabProjectId: gpid },
    {
      adopt: async () =>
        (await deps.gitlab.milestones(gpid)).find((m) => markersIn(m.description).includes(ref)),
      create: async () => {
        const created = await deps.gitlab.createMilestone(gpid, newMilestoneFor(release, deps.mentions));
        return releaseFields(release).state === 'closed'
          ? deps.gitlab.updateMilestone(gpid, created.id, { state_event: 'close' })
          : created;
      },
      idOf: (m) => keys.gitlabMilestone(gpid, m.id),
      beforeComplete: (m, claim) =>
        deps.links.overwrite({
          pk: keys.gitlabMilestone(gpid, m.id),
          state: 'linked',
          version: 0,
          claimedAt: claim.claimedAt,
          targetId: String(releaseId),
          counterpart: claim.pk,
          spiraProjectId: pid,
          gitlabProjectId: gpid,
          ...hashesOf(viewOfMilestone(m, gpid), release),
        }),
    },
  );
  if (!result.created) return { action: 'skipped', reason: `already linked to ${result.record.targetId}` };
  return { action: 'created', target: `milestone ${result.record.targetId}` };
}

async function pushRelease(
  deps: SyncDeps,
  pair: LinkRecord,
  release: ReleaseView,
  lastUpdate: string,
  milestone: MilestoneView,
): Promise<SyncOutcome> {
  const spiraNow = fingerprintFields(releaseFields(release));
  const changed = changedFields(spiraNow, pair.spiraHashes);
  if (changed.length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const gitlabChanged = changedFields(fingerprintFields(milestoneFields(milestone)), pair.gitlabHashes);
  const { apply, conflicts } = mergeFields(
    MILESTONE_PAIRS,
    'spira',
    { gitlab: gitlabChanged, spira: changed },
    { gitlab: milestone.updatedAt, spira: lastUpdate },
  );
  const spiraApply = apply
    .map((f) => MILESTONE_PAIRS.find(([g]) => g === f)?.[1])
    .filter((f) => f !== undefined);
  const patch = milestonePatchFor(release, spiraApply, milestone, deps.mentions);
  const after =
    Object.keys(patch).length === 0
      ? milestone
      : viewOfMilestone(
          await deps.gitlab.updateMilestone(milestone.projectId, milestone.id, patch),
          milestone.projectId,
        );
  const lost = conflicts.filter((c) => c.winner === 'gitlab').map((c) => c.spiraField as string);
  await deps.links.save({
    ...pair,
    spiraHashes: nextHashes(
      pair.spiraHashes,
      spiraNow,
      Object.keys(spiraNow).filter((f) => !lost.includes(f)),
    ),
    gitlabHashes: nextHashes(pair.gitlabHashes, fingerprintFields(milestoneFields(after)), apply),
  });
  if (Object.keys(patch).length === 0)
    return { action: 'skipped', reason: `GitLab already matches (${changed.join(', ')})` };
  return { action: 'updated', target: `milestone ${milestone.id}`, fields: Object.keys(patch) };
}

/** The Spira release of a GitLab milestone, syncing the milestone first when it has none yet. */
export async function releaseForMilestone(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  milestoneId: number,
): Promise<number | undefined> {
  const configured = ctx.releaseFor(milestoneId);
  if (configured !== undefined) return configured;
  const key = keys.gitlabMilestone(gpid, milestoneId);
  let link = await deps.links.get(key);
  if (link?.state !== 'linked') {
    await syncGitLabMilestone(deps, {
      v: 1,
      kind: 'gitlab.milestone',
      spiraProjectId: ctx.project.spiraProjectId,
      gitlabProjectId: gpid,
      milestoneId,
      eventAt: new Date().toISOString(),
    });
    link = await deps.links.get(key);
  }
  return link?.state === 'linked' ? Number(link.targetId) : undefined;
}

/** The GitLab milestone of a Spira release, syncing the release first when it has none yet. */
export async function milestoneForRelease(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  releaseId: number,
): Promise<number | undefined> {
  const configured = ctx.milestoneFor(releaseId);
  if (configured !== undefined) return configured;
  const key = keys.spiraRelease(ctx.project.spiraProjectId, releaseId);
  let pointer = await deps.links.get(key);
  if (pointer?.state !== 'linked') {
    await syncSpiraRelease(deps, {
      v: 1,
      kind: 'spira.release',
      spiraProjectId: ctx.project.spiraProjectId,
      gitlabProjectId: gpid,
      releaseId,
      eventAt: new Date().toISOString(),
    });
    pointer = await deps.links.get(key);
  }
  return targetIdOf(pointer);
}
