import type { GitLabRecordedRequest } from '@spira-gitlab-sync/stand-ins/gitlab';
import type { SpiraRecordedRequest } from '@spira-gitlab-sync/stand-ins/spira';

/** One request to a stand-in, stamped when the stand-in starts to apply it (after the injected latency). */
export interface ApiCall {
  side: 'spira' | 'gitlab';
  method: string;
  path: string;
  /** Spira login or GitLab user id of the caller. */
  actor: string;
  body: unknown;
  /** performance.now() when the request is applied: a write is visible from here on. */
  at: number;
}

/**
 * Timestamped request logs of both stand-ins, filled through their `intercept` hooks (which run after the
 * injected latency and just before the request is applied, and answer nothing so the request proceeds).
 */
export class ApiLog {
  readonly calls: ApiCall[] = [];

  spiraIntercept = (req: SpiraRecordedRequest): undefined => {
    this.push('spira', req.method, req.path, req.username ?? '', req.body);
    return undefined;
  };

  gitlabIntercept = (req: GitLabRecordedRequest): undefined => {
    this.push('gitlab', req.method, req.path, String(req.userId ?? ''), req.body);
    return undefined;
  };

  mark(): number {
    return this.calls.length;
  }

  since(mark: number): ApiCall[] {
    return this.calls.slice(mark);
  }

  private push(side: ApiCall['side'], method: string, path: string, actor: string, body: unknown): void {
    this.calls.push({ side, method, path, actor, body, at: performance.now() });
  }
}

/** Whether a call changes data (Spira's incident search is a POST that only reads). */
export function isWrite(call: Pick<ApiCall, 'method' | 'path'>): boolean {
  if (call.method === 'GET' || call.method === 'HEAD') return false;
  return !(call.method === 'POST' && /\/search$/.test(call.path));
}
