import type { ProjectConfig } from '../config/sync-config.js';
import type { SyncCommand } from '../domain/sync-command.js';

/** A recognised event for a configured project whose body lacks (or garbles) a field the sync needs. */
export interface UnusableHook {
  reason: string;
  /** `field.path: problem`, at most five. */
  problems: string[];
  spiraProjectId: number;
  /** Where the reason is recorded: the item's history when the body names it, else the project's. */
  auditKey: string;
}

/**
 * What a webhook body says: a change to queue, a reason to ignore it (not for us), or, for our project, why it
 * cannot be used. Only a body that is not JSON is refused (400), and that is decided before reading.
 */
export type HookReading = { command: SyncCommand } | { ignored: string } | { unusable: UnusableHook };

/** Reads one webhook body of a recognised event (implemented by the GitLab connector). */
export type HookReader = (
  event: string,
  json: unknown,
  project: (path: string) => ProjectConfig | undefined,
) => HookReading;
