import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from './cli-harness.js';

describe('hooks install', () => {
  let h: CliHarness;
  const hooks = async () =>
    (await h.gitlabAs('syncbot', 'GET', `projects/${h.world.gitlabProjectId}/hooks`)).json;
  beforeAll(async () => {
    h = await startCliHarness({ noHook: true });
  });
  afterAll(async () => h?.stop());

  it('creates the webhook of the running sync with the secret and every trigger the sync needs', async () => {
    const { code, out } = await h.cli(['hooks', 'install']);

    expect(code).toBe(0);
    expect(out).toMatch(
      /^✓ gitlab-examples\/velociraptor: created hook \d+ → http:\/\/127\.0\.0\.1:\d+\/webhooks\/gitlab/m,
    );
    const [hook, ...others] = await hooks();
    expect(others).toEqual([]);
    expect(hook).toMatchObject({
      url: `${h.local.url}/webhooks/gitlab`,
      issues_events: true,
      confidential_issues_events: true,
      note_events: true,
      confidential_note_events: true,
      milestone_events: true,
      push_events: false,
      alert_status: 'executable',
    });
  });

  it('sends the configured secret: the sync accepts the deliveries and syncs the issue', async () => {
    await h.gitlabAs('fred', 'POST', `projects/${h.world.gitlabProjectId}/issues`, {
      title: 'Through the new hook',
    });
    await h.settle();

    expect(h.gitlab.deliveries.map((d) => d.status)).toEqual([202]);
    expect(h.spira.incidents(h.world.spiraProjectId).map((i) => i.Name)).toContain('Through the new hook');
  });

  it('updates the same hook when run again', async () => {
    const [before] = await hooks();

    const { code, out } = await h.cli(['hooks', 'install']);

    expect(code).toBe(0);
    expect(out).toContain(`updated hook ${before.id}`);
    expect((await hooks()).map((x: { id: number }) => x.id)).toEqual([before.id]);
  });

  it('replaces a hook GitLab has disabled with an enabled one, and warns about stray sync hooks', async () => {
    const [old] = await hooks();
    await h.gitlabAs('syncbot', 'DELETE', `projects/${h.world.gitlabProjectId}/hooks/${old.id}`);
    const disabled = h.gitlab.addHook(h.world.gitlabProjectId, {
      url: `${h.local.url}/webhooks/gitlab`,
      enabled: false,
    });
    h.gitlab.addHook(h.world.gitlabProjectId, { url: 'http://127.0.0.1:9/webhooks/gitlab' });

    const { code, out } = await h.cli(['hooks', 'install']);

    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`replaced disabled hook ${disabled} with hook \\d+`));
    expect(out).toMatch(
      /^! gitlab-examples\/velociraptor: hook \d+ also points at a sync endpoint \(http:\/\/127\.0\.0\.1:9\/webhooks\/gitlab\)/m,
    );
    const current = (await hooks()).find((x: { url: string }) => x.url === `${h.local.url}/webhooks/gitlab`);
    expect(current.alert_status).toBe('executable');
  });

  it('takes the URL from --url', async () => {
    const { code } = await h.cli(['hooks', 'install', '--url', 'https://sync.example.com/webhooks/gitlab']);

    expect(code).toBe(0);
    expect((await hooks()).map((x: { url: string }) => x.url)).toContain(
      'https://sync.example.com/webhooks/gitlab',
    );
  });

  it('says where a URL could come from when there is none', async () => {
    const { code, err } = await h.cli(['hooks', 'install'], { SYNC_DATA_DIR: `${h.dir}/nowhere` });

    expect(code).toBe(1);
    expect(err).toMatch(/no webhook URL: pass --url/);
  });
});
