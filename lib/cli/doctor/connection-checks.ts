import type { ResolvedConfig } from '../../config/secrets.js';
import type { GitLabClient } from '../../connectors/gitlab/gitlab-client.js';
import type { SpiraClient } from '../../connectors/spira/spira-client.js';
import { RemoteNotFoundError, RemoteRetryableError } from '../../domain/errors.js';
import { type CheckLine, fail, info, isAuthError, pass, whatFailed } from './check-line.js';

/** Spira: the instance answers and accepts `spira.username` with `spira.apiKey`. */
export async function checkSpiraLogin(spira: SpiraClient, config: ResolvedConfig): Promise<CheckLine> {
  const where = config.spira.baseUrl;
  try {
    const me = await spira.currentUser();
    return pass(`Spira ${where}: signed in as ${me.UserName} (user ${me.UserId})`);
  } catch (error) {
    if (isAuthError(error))
      return fail(
        `Spira ${where} rejected spira.username "${config.spira.username}" with spira.apiKey (${whatFailed(error)})`,
        "use the sync user's login and its API key (Spira → My Profile → RSS Token, braces included)",
      );
    // A wrong root answers IIS's HTML 404, which the client retries as an infrastructure fault.
    const notThere =
      error instanceof RemoteNotFoundError || (error instanceof RemoteRetryableError && error.status === 404);
    if (notThere)
      return fail(
        `no Spira REST API at spira.baseUrl ${where}`,
        'spira.baseUrl is the instance root (the client adds /Services/v7_0/RestService.svc/)',
      );
    return fail(`Spira ${where}: ${whatFailed(error)}`, 'check spira.baseUrl and the network');
  }
}

/** GitLab: the token is valid, belongs to `gitlab.login`, and has the `api` scope. */
export async function checkGitLabToken(gitlab: GitLabClient, config: ResolvedConfig): Promise<CheckLine[]> {
  const where = config.gitlab.baseUrl;
  let username: string;
  try {
    username = (await gitlab.currentUser()).username;
  } catch (error) {
    if (isAuthError(error))
      return [
        fail(
          `GitLab ${where} rejected gitlab.token (${whatFailed(error)}): wrong, expired or revoked token`,
          `create a personal access token with the api scope for ${config.gitlab.login} (User settings → Access tokens) and put it in gitlab.token`,
        ),
      ];
    return [fail(`GitLab ${where}: ${whatFailed(error)}`, 'check gitlab.baseUrl and the network')];
  }
  const lines = [pass(`GitLab ${where}: gitlab.token belongs to @${username}`)];
  if (username.toLowerCase() !== config.gitlab.login.toLowerCase())
    lines.push(
      fail(
        `gitlab.login is "${config.gitlab.login}" but the token belongs to @${username}`,
        `use the sync user's token, or set gitlab.login to ${username} (issues it writes are recognised by this login)`,
      ),
    );
  lines.push(await checkScope(gitlab));
  return lines;
}

async function checkScope(gitlab: GitLabClient): Promise<CheckLine> {
  try {
    const token = await gitlab.tokenInfo();
    if (token.active === false) return fail('gitlab.token is revoked or expired', 'create a new token');
    const expires = token.expires_at ? `, expires ${token.expires_at}` : '';
    if (!token.scopes.includes('api'))
      return fail(
        `gitlab.token lacks the api scope (it has: ${token.scopes.join(', ') || 'none'})`,
        'create a token with the api scope: read_api cannot create issues, notes or webhooks',
      );
    return pass(`gitlab.token has the api scope${expires}`);
  } catch {
    return info(
      'GitLab does not report token scopes here (GitLab 15.5+ does): make sure the token has the api scope',
    );
  }
}
