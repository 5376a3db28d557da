import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatusPage, statusPageRoutes } from '../../lib/local/status-page.js';
import { testChromium } from '../helpers/chromium.js';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the status page at GET / (headless Chromium)', () => {
  let h: Harness;
  let dir: string;
  let browser: BrowserContext;
  let page: Page;
  /** A section's text as a person sees it in the browser (rendered, cells apart). */
  // biome-ignore lint/performance/useDomNodeTextContent: rendered text is the point of a browser test
  const seen = (testId: string) => page.getByTestId(testId).innerText();
  const gpid = () => h.world.gitlabProjectId;
  const pid = () => h.world.spiraProjectId;

  beforeAll(async () => {
    // The npm-shipped Chromium (no system browser needed), or the one CHROMIUM_PATH names.
    const browserBinary = await testChromium();
    h = await startHarness({ routes: statusPageRoutes });
    dir = await mkdtemp(join(tmpdir(), 'status-page-'));
    // Activity, a conflict (both sides rename before a sync) and a parked message (Status Bulk Edit off).
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'Shown' });
    await h.settle();
    await h.local.pollNow();
    const id = h.spira.incidents(pid()).find((i) => i.Name === 'Shown')?.IncidentId as number;
    h.spira.updateIncident(pid(), id, h.world.spira.amy, { Name: 'Spira side' });
    await new Promise((ok) => setTimeout(ok, 20));
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { title: 'GitLab side' });
    await h.settle();
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), false);
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: browserBinary.executablePath,
      env: { ...process.env, ...browserBinary.env } as Record<string, string>,
      headless: true,
      args: FLAGS,
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the projects, recent activity, errors and conflicts', async () => {
    const response = await page.goto(`${h.local.url}/`);

    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('spira-gitlab-sync status');
    const projects = page.getByTestId('projects');
    await expect.poll(() => projects.locator('tbody tr').count()).toBe(1);
    expect(await seen('projects')).toMatch(/gitlab-examples\/velociraptor\s+yes/);
    expect(await seen('errors')).toMatch(/StatusNotAppliedError\s+Spira kept incident \d+/);
    expect(await seen('conflicts')).toMatch(/title\/name changed on both sides/);
    const activity = await seen('activity');
    expect(activity).toMatch(/gitlab\.issue\s+created/);
    expect(await seen('queue')).toMatch(/^0 waiting, 0 in flight, 0 delayed/);
    expect(await seen('health')).toMatch(/health\s+ok\s+last poll\s+\S+ ok, queued \d+/);
  });

  it('is read-only: no scripts, forms or buttons', async () => {
    expect(await page.locator('script, form, button, input').count()).toBe(0);
  });

  it('renders for a screenshot', async () => {
    const path = join(dir, 'status-page.png');

    await page.setViewportSize({ width: 1200, height: 800 });
    await page.screenshot({ path, fullPage: true });

    const png = await readFile(path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('escapes what it shows', async () => {
    const html = renderStatusPage({
      at: '2026-01-01T00:00:00.000Z',
      projects: [],
      unassignedParked: [
        {
          pk: 'parked#x',
          messageId: 'x',
          body: '{}',
          reason: '<img src=x onerror=alert(1)>',
          errorName: 'Error',
          parkedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    });
    await page.setContent(html);

    expect(await page.locator('img').count()).toBe(0);
    expect(await seen('errors')).toContain('<img src=x onerror=alert(1)>');
  });
});
