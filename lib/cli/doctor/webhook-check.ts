import { isDisabled, isSyncHook, missingTriggers } from '../hooks/webhook-rules.js';
import { type CheckLine, fail, pass, whatFailed } from './check-line.js';
import type { ProjectCheck } from './project-checks.js';

/** The project has a webhook to the sync that GitLab calls (enabled) with every trigger the sync needs. */
export async function checkWebhook(
  p: ProjectCheck,
  gitlabProjectId: number,
  url: string | undefined,
): Promise<CheckLine[]> {
  const install = 'spira-gitlab-sync hooks install';
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
