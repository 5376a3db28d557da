import type { ProjectConfig } from '../config/sync-config.js';
import type { SyncCommand } from '../domain/sync-command.js';

/** What a webhook body says: a change to queue, a reason to ignore it, or the fields that are malformed. */
export type HookReading =
  | { command: SyncCommand }
  | { ignored: string }
  | { malformed: { error: string; problems: string[] } };

/** Reads one webhook body of a recognised event (implemented by the GitLab connector). */
export type HookReader = (
  event: string,
  json: unknown,
  project: (path: string) => ProjectConfig | undefined,
) => HookReading;
