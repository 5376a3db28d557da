import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyncConfig } from '../../lib/config/sync-config.js';
import { type CliHarness, startCliHarness } from './cli-harness.js';

describe('init', () => {
  let h: CliHarness;
  beforeAll(async () => {
    h = await startCliHarness();
  });
  afterAll(async () => h?.stop());

  it('writes a commented YAML template that is a valid config', async () => {
    const { code, out } = await h.cli(['init', '--out', 'template.yaml']);
    const text = await readFile(join(h.dir, 'template.yaml'), 'utf8');

    expect(code).toBe(0);
    expect(out).toMatch(/^✓ wrote .*template\.yaml/);
    expect(text).toMatch(/^# Plug-in "Auto-Map Users"/m);
    expect(text).toMatch(/apiKey: \{ env: SPIRA_API_KEY \}/);
    const config = await loadSyncConfig(join(h.dir, 'template.yaml'));
    expect(config.projects[0]?.incidentStatuses.filter((s) => s.primary)).toHaveLength(2);
  });

  it('writes JSON for a .json name', async () => {
    await h.cli(['init', '--out', 'template.json']);

    const config = await loadSyncConfig(join(h.dir, 'template.json'));
    expect(config.gitlab.token).toEqual({ env: 'GITLAB_TOKEN' });
  });

  it('does not overwrite a file unless --force', async () => {
    const again = await h.cli(['init', '--out', 'template.yaml']);
    const forced = await h.cli(['init', '--out', 'template.yaml', '--force']);

    expect(again.code).toBe(1);
    expect(again.err).toMatch(/template\.yaml exists: pass --force/);
    expect(forced.code).toBe(0);
  });

  it('fills project, statuses, users and releases from both systems with --from-live, and doctor accepts it', async () => {
    const release = h.spira.createRelease(h.world.spiraProjectId, h.world.spira.fred, { Name: 'Sprint 1' });
    const { json: milestone } = await h.gitlabAs(
      'fred',
      'POST',
      `projects/${h.world.gitlabProjectId}/milestones`,
      {
        title: 'Sprint 1',
      },
    );
    const env = {
      SPIRA_API_KEY: h.world.config.spira.apiKey,
      GITLAB_TOKEN: h.world.config.gitlab.token,
      GITLAB_WEBHOOK_SECRET: h.world.webhookSecret,
    };
    const live = [
      'init',
      '--from-live',
      '--out',
      'live.yaml',
      '--spira-url',
      h.spira.baseUrl,
      '--spira-username',
      'syncbot',
      '--spira-project',
      String(h.world.spiraProjectId),
      '--gitlab-url',
      h.gitlab.baseUrl,
      '--gitlab-project',
      'gitlab-examples/velociraptor',
    ];

    const { code } = await h.cli(live, env);
    const config = await loadSyncConfig(join(h.dir, 'live.yaml'));
    const text = await readFile(join(h.dir, 'live.yaml'), 'utf8');
    const doctor = await h.cli(['doctor', '--config', 'live.yaml'], env);

    expect(code).toBe(0);
    expect(config.gitlab).toMatchObject({
      account: 'gitlab-examples',
      login: 'syncbot',
      baseUrl: h.gitlab.baseUrl,
    });
    const statuses = h.spira.statuses(h.world.spiraProjectId);
    expect(config.projects[0]?.incidentStatuses.map((s) => s.spiraStatusId).sort()).toEqual(
      statuses.map((s) => s.IncidentStatusId).sort(),
    );
    expect(config.projects[0]?.releases).toEqual([
      { spiraReleaseId: release.ReleaseId, gitlabMilestoneId: milestone.id },
    ]);
    expect(config.users.map((u) => u.gitlabUsername).sort()).toEqual(['fred', 'joe']);
    expect(text).toMatch(/# {3}Amy Tester \(user \d+\): no GitLab member of that name/);
    expect(doctor.out).not.toMatch(/^✗/m);
    expect(doctor.code).toBe(0);
  });

  it('names what --from-live is missing', async () => {
    const { code, err } = await h.cli([
      'init',
      '--from-live',
      '--out',
      'x.yaml',
      '--spira-url',
      h.spira.baseUrl,
    ]);

    expect(code).toBe(1);
    expect(err).toMatch(
      /init --from-live needs --spira-username <login>, --spira-project <id>, --gitlab-project <group\/project>, the Spira API key in SPIRA_API_KEY, the GitLab token in GITLAB_TOKEN/,
    );
  });
});
