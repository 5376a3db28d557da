import type { Answer } from './http.js';

/**
 * Error answers the real Spira (or what stands in front of it) gives, for tests to inject
 * (docs/spira-api.md §0a.4-6): Spira answers every unexpected exception 400 with its message as a JSON
 * string, validation failures 400 with a Validation Fault object, a real "not found" 404 as a JSON string;
 * IIS or a proxy answers an HTML page.
 */
export const SPIRA_FAULTS = {
  /** An SQL timeout, answered 400 like every unexpected exception (RestServiceBase.ConvertExceptions). */
  sqlTimeout: {
    status: 400,
    body: 'System.Data.SqlClient.SqlException: Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.',
  },
  /** A deadlock victim, answered 400. */
  deadlock: {
    status: 400,
    body: 'Transaction (Process ID 64) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.',
  },
  /** Concurrent-user licence seats used up. */
  licence: {
    status: 401,
    body: 'LicenseViolationException: The number of concurrent users exceeds the number allowed by your license (26)',
  },
  /** A validation failure: permanent. */
  validationFault: {
    status: 400,
    body: {
      Summary: 'Validation Fault',
      Messages: [{ FieldName: 'Name', Message: 'Name is required' }],
    },
  },
  /** Spira's own "not found": a JSON string. */
  notFound: { status: 404, body: 'Unable to locate requested incident' },
  /** IIS's 404 page (a wrong virtual directory after a move, a proxy): not Spira's answer. */
  html404: {
    status: 404,
    text: '<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body><h2>404 - File or directory not found.</h2><h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3></body></html>',
  },
} satisfies Record<string, Answer>;

export type SpiraFaultName = keyof typeof SPIRA_FAULTS;

/** Which requests an injected fault answers. */
export interface FaultMatch {
  method?: string;
  /** Matched against the path after `/Services/v7_0/RestService.svc/`. */
  path?: RegExp;
}

/** A queue of injected faults, each answering the next `times` matching requests. */
export class FaultQueue {
  private readonly pending: { answer: Answer; match: FaultMatch; left: number }[] = [];

  add(fault: SpiraFaultName | Answer, match: FaultMatch = {}, times = 1): void {
    const answer = typeof fault === 'string' ? SPIRA_FAULTS[fault] : fault;
    this.pending.push({ answer, match, left: times });
  }

  /** The injected answer for a request, if one matches (consumed). */
  take(method: string, path: string): Answer | undefined {
    const hit = this.pending.find(
      (f) =>
        f.left > 0 &&
        (f.match.method === undefined || f.match.method === method) &&
        (f.match.path === undefined || f.match.path.test(path)),
    );
    if (!hit) return undefined;
    hit.left -= 1;
    return hit.answer;
  }
}
