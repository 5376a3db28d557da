/** The CONTRACT §2 example config, as a fresh mutable object. */
export function contractExample() {
  return {
    spira: {
      baseUrl: 'https://example.spiraservice.net',
      username: 'syncbot',
      apiKey: '{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}' as unknown,
    },
    gitlab: {
      baseUrl: 'https://gitlab.com',
      account: 'gitlab-examples',
      login: 'syncbot',
      token: 'glpat-xxxxxxxxxxxxxxxxxxxx',
      webhookSecret: 'a-long-random-string',
    },
    timeOffsetHours: 0,
    autoMapUsers: true,
    pollIntervalSeconds: 60,
    projects: [
      {
        spiraProjectId: 1,
        gitlabProject: 'velociraptor',
        active: true,
        incidentStatuses: [
          { spiraStatusId: 1, gitlab: 'opened', primary: true },
          { spiraStatusId: 2, gitlab: 'opened', primary: false },
          { spiraStatusId: 4, gitlab: 'closed', primary: true },
          { spiraStatusId: 5, gitlab: 'closed', primary: false },
        ],
        releases: [{ spiraReleaseId: 3, gitlabMilestoneId: 17 }],
      },
    ],
    users: [{ spiraUserId: 2, gitlabUsername: 'fred' }],
  };
}

/** The example's only project (throws if a test removed it). */
export function firstProject(config: ReturnType<typeof contractExample>) {
  const project = config.projects[0];
  if (!project) throw new Error('the example config has no project');
  return project;
}

/** One status row of the example's project. */
export function statusRow(config: ReturnType<typeof contractExample>, index: number) {
  const row = firstProject(config).incidentStatuses[index];
  if (!row) throw new Error(`no status row ${index}`);
  return row;
}
