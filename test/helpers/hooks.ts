/** Webhook bodies shaped like real GitLab deliveries (`YYYY-MM-DD HH:MM:SS UTC` dates). */
export function issueHook(
  o: {
    iid?: number;
    objectKind?: string;
    type?: string;
    project?: string;
    description?: string;
    updatedAt?: string;
  } = {},
): string {
  return JSON.stringify({
    object_kind: o.objectKind ?? 'issue',
    event_type: 'issue',
    user: { id: 1, name: 'Fred Bloggs', username: 'fred', avatar_url: null, email: '[REDACTED]' },
    project: {
      id: 14,
      name: 'Velociraptor',
      web_url: 'https://gitlab.com/gitlab-examples/velociraptor',
      path_with_namespace: o.project ?? 'gitlab-examples/velociraptor',
    },
    object_attributes: {
      id: 301,
      iid: o.iid ?? 1,
      title: 'An issue',
      description: o.description ?? 'text',
      state: 'opened',
      action: 'open',
      created_at: '2026-11-25 01:02:03 UTC',
      updated_at: o.updatedAt ?? '2026-11-25 01:02:03 UTC',
      type: o.type ?? 'Issue',
    },
    labels: [],
    changes: {},
  });
}

export function noteHook(o: { iid?: number; noteableType?: string; system?: boolean } = {}): string {
  return JSON.stringify({
    object_kind: 'note',
    event_type: 'note',
    user: { id: 2, name: 'Joe Smith', username: 'joe' },
    project_id: 14,
    project: {
      id: 14,
      name: 'Velociraptor',
      web_url: 'https://gitlab.com/gitlab-examples/velociraptor',
      path_with_namespace: 'gitlab-examples/velociraptor',
    },
    object_attributes: {
      id: 1241,
      note: 'Hello',
      noteable_type: o.noteableType ?? 'Issue',
      system: o.system ?? false,
      action: 'create',
      created_at: '2026-11-25 01:02:04 UTC',
      updated_at: '2026-11-25 01:02:04 UTC',
    },
    issue: { id: 301, iid: o.iid ?? 1, title: 'An issue' },
  });
}

/** A Milestone Hook as `DataBuilder::Milestone` builds it: `action` at the top, no `user`. */
export function milestoneHook(o: { id?: number } = {}): string {
  return JSON.stringify({
    object_kind: 'milestone',
    event_type: 'milestone',
    project: {
      id: 14,
      name: 'Velociraptor',
      web_url: 'https://gitlab.com/gitlab-examples/velociraptor',
      path_with_namespace: 'gitlab-examples/velociraptor',
    },
    object_attributes: {
      id: o.id ?? 61,
      iid: 1,
      title: 'Sprint 1',
      description: null,
      state: 'active',
      created_at: '2026-11-25 01:02:03 UTC',
      updated_at: '2026-11-25 01:02:03 UTC',
      due_date: null,
      start_date: null,
      group_id: null,
      project_id: 14,
    },
    action: 'create',
  });
}
