import type { MentionPolicy } from '../domain/gitlab-text.js';
import type { Audit } from '../ports/audit.js';
import type { LinkStore } from '../ports/link-store.js';
import type { FaultHook, GitLabPort, Log, SpiraPort } from '../ports/sync-ports.js';
import type { ProjectContexts } from './project-context.js';

/** Everything the worker's use cases need, built once per container. */
export interface SyncDeps {
  gitlab: GitLabPort;
  spira: SpiraPort;
  links: LinkStore;
  contexts: ProjectContexts;
  log: Log;
  audit: Audit;
  /** How `@mentions` in text written into GitLab are treated (config `gitlab.mentions`). */
  mentions: MentionPolicy;
  /** What a deleted Spira incident does to its issue (config `spira.onIncidentDeleted`). */
  onIncidentDeleted: 'note' | 'close' | 'ignore';
  fault?: FaultHook;
  /** See `OnceDeps.claimLeaseMs` and `OnceDeps.claimant`. */
  claimLeaseMs?: number;
  claimant?: string;
}

/** What applying one command did, for logs, audit and tests. */
export type SyncOutcome =
  | { action: 'created'; target: string }
  | { action: 'updated'; target: string; fields: string[] }
  | { action: 'skipped'; reason: string };
