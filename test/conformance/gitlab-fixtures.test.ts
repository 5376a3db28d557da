import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseSyncConfig } from '../../lib/config/sync-config.js';
import { GitLabIssueSchema, GitLabNoteSchema } from '../../lib/connectors/gitlab/rest-schemas.js';
import { readGitLabHook } from '../../lib/connectors/gitlab/webhook-mapper.js';
import {
  IssueHookSchema,
  IssueNoteHookSchema,
  MilestoneHookSchema,
} from '../../lib/connectors/gitlab/webhook-schemas.js';
import type { SyncCommand } from '../../lib/domain/sync-command.js';
import { ingestGitLabEvent } from '../../lib/engine/ingest-gitlab-event.js';
import { contractExample } from '../helpers/config.js';

const DIR = resolve(process.cwd(), '../shared/fixtures/gitlab-docs');
const read = (name: string): unknown => JSON.parse(readFileSync(resolve(DIR, name), 'utf8'));

describe("GitLab's documented payloads parse with our schemas", () => {
  it.each([
    ['issue-hook.json', IssueHookSchema],
    ['note-hook-issue.json', IssueNoteHookSchema],
    ['milestone-hook.json', MilestoneHookSchema],
    ['api-issue-create-response.json', GitLabIssueSchema],
    ['api-issue-update-close-response.json', GitLabIssueSchema],
    ['api-project-issues-list-response.json', z.array(GitLabIssueSchema)],
    ['api-issue-notes-list-response.json', z.array(GitLabNoteSchema)],
  ] as const)('%s', (file, schema) => {
    const result = schema.safeParse(read(file));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each([
    ['issue-hook.json', 'Issue Hook', 'gitlab.issue'],
    ['note-hook-issue.json', 'Note Hook', 'gitlab.note'],
    ['milestone-hook.json', 'Milestone Hook', 'gitlab.milestone'],
  ])('%s is queued by the receiver', async (file, event, kind) => {
    const body = read(file) as { project: { path_with_namespace: string } };
    const config = parseSyncConfig({
      ...contractExample(),
      projects: [{ ...contractExample().projects[0], gitlabProject: body.project.path_with_namespace }],
    });
    const sent: SyncCommand[] = [];
    const answer = await ingestGitLabEvent(
      {
        webhookSecret: 's',
        account: config.gitlab.account,
        projects: config.projects,
        queue: { send: async (command) => void sent.push(command), retryLater: async () => {} },
        deliveries: { seen: async () => false, remember: async () => {} },
        readHook: readGitLabHook,
        audit: { record: async () => {} },
        log: { info: () => {}, warn: () => {}, error: () => {} },
      },
      { headers: { 'x-gitlab-token': 's', 'x-gitlab-event': event }, body: JSON.stringify(body) },
    );
    expect(answer.status).toBe(202);
    expect(sent.map((c) => c.kind)).toEqual([kind]);
  });
});
