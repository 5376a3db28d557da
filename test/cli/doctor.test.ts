import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, configCopy, startCliHarness } from './cli-harness.js';

describe('doctor', () => {
  let h: CliHarness;
  beforeAll(async () => {
    h = await startCliHarness();
  });
  afterAll(async () => h?.stop());

  it('passes a correct set-up with ✓ lines and exit code 0, previewing the user mapping', async () => {
    const { code, out } = await h.cli(['doctor']);

    expect(out).toMatch(/^✓ config .* is valid/m);
    expect(out).toMatch(/^✓ Spira .*: signed in as syncbot/m);
    expect(out).toMatch(/^✓ GitLab .*: gitlab\.token belongs to @syncbot/m);
    expect(out).toMatch(
      /^✓ all \d+ Spira statuses mapped; primary for opened: \d+ "New", for closed: \d+ "Closed"/m,
    );
    expect(out).toMatch(/^· auto-map: Fred Bloggs \(fredb, user \d+\) ⇄ @fred/m);
    expect(out).toMatch(/^· no GitLab member of the same name: .*Amy Tester \(amyt\)/m);
    expect(out).toMatch(
      /^✓ webhook \d+ of gitlab-examples\/velociraptor → .*\/webhooks\/gitlab: enabled, all triggers on/m,
    );
    expect(out).toMatch(/^! Status Bulk Edit cannot be read through the API\n {4}fix: .*--probe-status/m);
    expect(out).not.toMatch(/^✗/m);
    expect(code).toBe(0);
  });

  it('catches a missing status mapping, naming the field and the fix', async () => {
    const config = configCopy(h.world);
    const project = config.projects[0] as (typeof config.projects)[number];
    const dropped = project.incidentStatuses.find((s) => !s.primary);
    project.incidentStatuses = project.incidentStatuses.filter((s) => s !== dropped);
    const path = await h.writeConfig('missing-status.json', config);

    const { code, out } = await h.cli(['doctor', '--config', path]);

    expect(code).toBe(1);
    expect(out).toContain(`✗ projects[0].incidentStatuses: Spira status ${dropped?.spiraStatusId} "`);
    expect(out).toMatch(
      new RegExp(
        `fix: add \\{ "spiraStatusId": ${dropped?.spiraStatusId}, "gitlab": "(opened|closed)", "primary": false \\}`,
      ),
    );
  });

  it('names a wrong spira.baseUrl when IIS answers its HTML 404 there (not Spira\'s own "not found")', async () => {
    const config = configCopy(h.world);
    config.spira.baseUrl = `${config.spira.baseUrl.replace(/\/+$/, '')}/SpiraPlan-old`;
    const path = await h.writeConfig('wrong-spira-root.json', config);

    const { code, out } = await h.cli(['doctor', '--config', path]);

    expect(code).toBe(1);
    expect(out).toMatch(/^✗ no Spira REST API at spira\.baseUrl .*\/SpiraPlan-old/m);
  });

  it('catches a wrong GitLab token', async () => {
    const config = configCopy(h.world);
    config.gitlab.token = 'glpat-not-a-real-token';
    const path = await h.writeConfig('wrong-token.json', config);

    const { code, out } = await h.cli(['doctor', '--config', path]);

    expect(code).toBe(1);
    expect(out).toMatch(
      /^✗ GitLab .* rejected gitlab\.token \(refused \(HTTP 401\)\): wrong, expired or revoked token/m,
    );
    expect(out).toMatch(/fix: create a personal access token with the api scope for syncbot/);
  });

  it('catches a wrong Spira API key', async () => {
    const config = configCopy(h.world);
    config.spira.apiKey = '{00000000-0000-0000-0000-000000000000}';
    const path = await h.writeConfig('wrong-key.json', config);

    const { code, out } = await h.cli(['doctor', '--config', path]);

    expect(code).toBe(1);
    expect(out).toMatch(/^✗ Spira .* rejected spira\.username "syncbot" with spira\.apiKey/m);
  });

  it('catches a webhook GitLab has disabled', async () => {
    const hook = h.gitlab.addHook(h.world.gitlabProjectId, {
      url: `${h.local.url}/webhooks/gitlab`,
      token: h.world.webhookSecret,
      issues_events: true,
      note_events: true,
      enabled: false,
    });

    const { code, out } = await h.cli(['doctor']);
    await h.gitlabAs('syncbot', 'DELETE', `projects/${h.world.gitlabProjectId}/hooks/${hook}`);

    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `^✗ webhook ${hook} of gitlab-examples/velociraptor is disabled: GitLab drops the events`,
        'm',
      ),
    );
    expect(out).toMatch(/fix: make sure .* answers \(GET \/health\), then spira-gitlab-sync hooks install/);
  });

  it('catches a config file that does not parse, naming the field', async () => {
    const config = configCopy(h.world) as unknown as { pollIntervalSeconds: unknown };
    config.pollIntervalSeconds = 'often';
    const path = await h.writeConfig('bad.json', config);

    const { code, out } = await h.cli(['doctor', '--config', path]);

    expect(code).toBe(1);
    expect(out).toMatch(/^✗ config .*bad\.json: pollIntervalSeconds: /m);
  });

  it('proves Status Bulk Edit with a probe incident it deletes again', async () => {
    const pid = h.world.spiraProjectId;
    const before = h.spira.incidents(pid).length;

    const on = await h.cli(['doctor', '--probe-status']);
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid), false);
    const off = await h.cli(['doctor', '--probe-status']);
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid), true);

    expect(on.out).toMatch(
      /^✓ Status Bulk Edit is on \(probe incident \d+ took status \d+, then was deleted\)/m,
    );
    expect(off.out).toMatch(/^✗ Status Bulk Edit is off: probe incident \d+ got status \d+ instead of \d+/m);
    expect([on.code, off.code]).toEqual([0, 1]);
    expect(h.spira.incidents(pid).length).toBe(before);
  });

  it('asks to pair a release and a milestone of the same name', async () => {
    h.spira.createRelease(h.world.spiraProjectId, h.world.spira.fred, {
      Name: 'Sprint 7',
      VersionNumber: '7.0',
    });
    const { json: milestone } = await h.gitlabAs(
      'fred',
      'POST',
      `projects/${h.world.gitlabProjectId}/milestones`,
      {
        title: 'Sprint 7',
      },
    );

    const { code, out } = await h.cli(['doctor']);

    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `✗ release "Sprint 7" \\(\\d+\\) and milestone "Sprint 7" \\(id ${milestone.id}\\) match but are not paired`,
      ),
    );
  });
});
