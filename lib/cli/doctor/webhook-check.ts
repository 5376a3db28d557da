import { isDisabled, isSyncHook, missingTriggers } from '../hooks/webhook-rules.js';
import { type CheckLine, fail, pass, warn, whatFailed } from './check-line.js';
import type { ProjectCheck } from './project-checks.js';

/**
 * The project has a webhook to the sync that GitLab calls (enabled) with every trigger the sync needs.
 * `url` is the sync's endpoint when doctor found a running or deployed sync; before there is one, a missing
 * webhook is expected (advice, not a failure): `hooks install` needs the endpoint's URL.
 * `target` is how doctor was pointed at the sync (`--stage prod`…), repeated in the fix.
 */
export async function checkWebhook(
  p: ProjectCheck,
  gitlabProjectId: number,
  url: string | undefined,
  target = '',
): Promise<CheckLine[]> {
  const install = `spira-gitlab-sync hooks install${target}`;
  let hooks: Awaited<ReturnType<typeof p.gitlab.hooks>>;
  try {
    hooks = (await p.gitlab.hooks(gitlabProjectId)).filter((h) => isSyncHook(h, url));
  } catch (error) {
    return [
      fail(
        `cannot list the webhooks of ${p.gitlabPath}: ${whatFailed(error)}`,
        `${p.config.gitlab.login} needs the Maintainer role to read and manage webhooks`,
      ),
    ];
  }
  if (hooks.length === 0 && url === undefined)
    return [
      warn(
        `no webhook of ${p.gitlabPath} points at a sync endpoint yet: expected until the sync runs and has its hook`,
        'after `serverless deploy` (or `npm start`), run `spira-gitlab-sync hooks install --stage <stage>` (or --url https://…/webhooks/gitlab), then doctor again',
      ),
    ];
  if (hooks.length === 0)
    return [
      fail(
        `no webhook of ${p.gitlabPath} points at ${url ?? 'a sync endpoint (…/webhooks/gitlab)'}`,
        install,
      ),
    ];
  return hooks.map((hook) => {
    if (isDisabled(hook)) {
      const until = hook.disabled_until ? ` until ${hook.disabled_until}` : '';
      return fail(
        `webhook ${hook.id} of ${p.gitlabPath} is ${hook.alert_status?.replace('_', ' ')}${until}: GitLab drops the events meanwhile`,
        `make sure ${hook.url} answers (GET /health), then ${install} (replaces it with an enabled hook); run backfill --since <when it broke> for what was missed`,
      );
    }
    const missing = missingTriggers(hook);
    if (missing.length > 0)
      return fail(`webhook ${hook.id} of ${p.gitlabPath} lacks ${missing.join(', ')}`, install);
    return pass(`webhook ${hook.id} of ${p.gitlabPath} → ${hook.url}: enabled, all triggers on`);
  });
}
