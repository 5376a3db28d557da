import type { GitLabHook } from '../../connectors/gitlab/rest-schemas.js';

/** The triggers the sync needs: issues, comments and milestones, confidential ones included. */
export const REQUIRED_TRIGGERS = [
  'issues_events',
  'confidential_issues_events',
  'note_events',
  'confidential_note_events',
  'milestone_events',
] as const;

/** Whether a hook points at a sync endpoint (`…/webhooks/gitlab`); with `url`, at exactly that one. */
export function isSyncHook(hook: GitLabHook, url?: string): boolean {
  return url ? hook.url === url : /\/webhooks\/gitlab\/?$/.test(hook.url);
}

/** Whether GitLab has stopped calling the hook (17.11+ `alert_status`; older versions do not report it). */
export function isDisabled(hook: GitLabHook): boolean {
  return hook.alert_status !== undefined && hook.alert_status !== 'executable';
}

/** The required triggers a hook has off. */
export function missingTriggers(hook: GitLabHook): string[] {
  return REQUIRED_TRIGGERS.filter((trigger) => hook[trigger] !== true);
}
