import { parameterName, SECRET_FIELDS, type SecretField } from '../../config/deploy-check.js';

/** What `init` writes: the example values, or what `--from-live` read from both systems. */
export interface InitValues {
  spira: { baseUrl: string; username: string };
  gitlab: { baseUrl: string; account: string; login: string };
  autoMapUsers: boolean;
  project: {
    spiraProjectId: number;
    gitlabProject: string;
    /** Names are written as comments. */
    statuses: { id: number; name: string; gitlab: 'opened' | 'closed'; primary: boolean }[];
    releases: { spiraReleaseId: number; gitlabMilestoneId: number; name: string }[];
  };
  users: { spiraUserId: number; gitlabUsername: string; name: string }[];
  /** Comment lines under `users:` (people not mapped and why). */
  userNotes: string[];
  /** Where the values came from, for the header. */
  source: string;
}

/** The CONTRACT example, with secrets read from environment variables. */
export function exampleValues(): InitValues {
  const statuses: InitValues['project']['statuses'] = [
    { id: 1, name: 'New', gitlab: 'opened', primary: true },
    { id: 2, name: 'Open', gitlab: 'opened', primary: false },
    { id: 3, name: 'Assigned', gitlab: 'opened', primary: false },
    { id: 8, name: 'Reopen', gitlab: 'opened', primary: false },
    { id: 4, name: 'Resolved', gitlab: 'closed', primary: false },
    { id: 5, name: 'Closed', gitlab: 'closed', primary: true },
    { id: 6, name: 'Not Reproducible', gitlab: 'closed', primary: false },
    { id: 7, name: 'Duplicate', gitlab: 'closed', primary: false },
  ];
  return {
    spira: { baseUrl: 'https://example.spiraservice.net', username: 'syncbot' },
    gitlab: { baseUrl: 'https://gitlab.com', account: 'gitlab-examples', login: 'syncbot' },
    autoMapUsers: true,
    project: { spiraProjectId: 1, gitlabProject: 'velociraptor', statuses, releases: [] },
    users: [],
    userNotes: ['e.g. - { spiraUserId: 2, gitlabUsername: fred }'],
    source: 'example values: replace them, or run `spira-gitlab-sync init --from-live`',
  };
}

const q = (text: string) => JSON.stringify(text);

/**
 * How the file names its secrets: `{ env: … }` for `npm start` (no stage), or `{ ssm: … }` under the stage's
 * path for a deployment (the only form the deployed functions can read; `secrets push` stores the values).
 */
export function secretForms(stage?: string): Record<SecretField['field'], string> & { note: string } {
  const form = (secret: SecretField) =>
    stage ? `{ ssm: ${parameterName(stage, secret)} }` : `{ env: ${secret.variable} }`;
  const [apiKey, token, webhookSecret] = SECRET_FIELDS.map(form) as [string, string, string];
  const note = stage
    ? `# Secrets are SSM SecureString parameters of stage ${stage}, what the deployed functions read; store them with
# \`spira-gitlab-sync secrets push --stage ${stage}\` (from SPIRA_API_KEY, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET).
# For \`npm start\`, write { env: NAME } or a literal instead (or run init without --stage).`
    : `# Secrets come from environment variables here (for \`npm start\` and the CLI). A deployed sync cannot read
# them: for \`serverless deploy\`, run init with --stage <stage> (writes { ssm: /spira-gitlab-sync/<stage>/… }).`;
  return { 'spira.apiKey': apiKey, 'gitlab.token': token, 'gitlab.webhookSecret': webhookSecret, note };
}

/** The config as commented YAML; every comment names the Inflectra plug-in setting the field replaces. */
export function renderYaml(v: InitValues, now = new Date(), secrets = secretForms()): string {
  const statuses = v.project.statuses
    .map((s) => `      - { spiraStatusId: ${s.id}, gitlab: ${s.gitlab}, primary: ${s.primary} } # ${s.name}`)
    .join('\n');
  const releases = v.project.releases.length
    ? `\n${v.project.releases.map((r) => `      - { spiraReleaseId: ${r.spiraReleaseId}, gitlabMilestoneId: ${r.gitlabMilestoneId} } # ${r.name}`).join('\n')}`
    : ' []';
  const users = v.users.length
    ? `\n${v.users.map((u) => `  - { spiraUserId: ${u.spiraUserId}, gitlabUsername: ${q(u.gitlabUsername)} } # ${u.name}`).join('\n')}`
    : ' []';
  const notes = v.userNotes.map((n) => `#   ${n}`).join('\n');
  return `# spira-gitlab-sync configuration, written by \`spira-gitlab-sync init\` on ${now.toISOString().slice(0, 10)}
# (${v.source}).
# Fields: README.md, "Configuration". Check it against both systems: spira-gitlab-sync doctor
${secrets.note}

# Spira itself: the sync user's login and API key (Spira → My Profile → RSS Token, braces included).
spira:
  baseUrl: ${q(v.spira.baseUrl)}
  username: ${q(v.spira.username)}
  apiKey: ${secrets['spira.apiKey']}

# Plug-in settings "On-Premise URL", "GitLab Account", "GitLab Login" and "GitLab PAT" (api scope).
gitlab:
  baseUrl: ${q(v.gitlab.baseUrl)}
  account: ${q(v.gitlab.account)}
  login: ${q(v.gitlab.login)}
  token: ${secrets['gitlab.token']}
  # The webhook's secret token (X-Gitlab-Token); \`hooks install\` sets it in GitLab (openssl rand -hex 32).
  webhookSecret: ${secrets['gitlab.webhookSecret']}

# Plug-in "Time Offset": kept for parity, 0 is right.
timeOffsetHours: 0
# Plug-in "Auto-Map Users": same first and last name on both sides; a name found twice is not mapped.
autoMapUsers: ${v.autoMapUsers}
# Spira has no webhooks: how often it is asked for changes (seconds; deployed, whole minutes).
pollIntervalSeconds: 60

# Project mappings ("View Project Mappings"): Spira product ⇄ External Key (the project under gitlab.account).
projects:
  - spiraProjectId: ${v.project.spiraProjectId}
    gitlabProject: ${q(v.project.gitlabProject)}
    active: true
    # Status mapping: every status of the product's template, opened or closed; exactly one primary for
    # each (the status set in Spira when the GitLab state changes).
    incidentStatuses:
${statuses}
    # Release mapping ("GitLab ID"): releases and milestones that already exist on both sides.
    releases:${releases}

# User mapping (each user's "Data Mapping" tab): manual pairs win over auto-mapping.
${notes}
users:${users}
`;
}
