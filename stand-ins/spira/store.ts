import { randomUUID } from 'node:crypto';
import { formatDate } from './model.js';

/** A Spira user account (login + API key = RSS token). */
export interface UserRec {
  UserId: number;
  UserGuid: string;
  FirstName: string;
  LastName: string;
  UserName: string;
  ApiKey: string;
  EmailAddress: string | null;
  Admin: boolean;
  CreationDate: string;
}

/**
 * One change set of an incident's history: who changed which fields when (Spira's History service). Values
 * are as Spira records them: a lookup field's text (status name, user's full name, release version), null
 * for an empty value. An "Added" set has no field changes.
 */
export interface ChangeSetRec {
  id: number;
  userId: number;
  /** Spira time of the change (the incident's LastUpdateDate after it). */
  at: string;
  type: 'Added' | 'Modified';
  changes: { field: string; oldValue: string | null; newValue: string | null }[];
}

/** A template lookup row (status, type, priority or severity). */
export interface LookupRec {
  id: number;
  Name: string;
  Guid: string;
  /** Statuses only: open vs closed. */
  Open?: boolean;
  Color?: string;
  Score?: number;
}

/** A product template: owns the incident lookups and the "Status Bulk Edit" setting. */
export interface TemplateRec {
  ProjectTemplateId: number;
  Name: string;
  Guid: string;
  statusBulkEdit: boolean;
  statuses: LookupRec[];
  types: LookupRec[];
  priorities: LookupRec[];
  severities: LookupRec[];
  defaultStatusId: number;
  defaultTypeId: number;
  CreationDate: string;
}

/** A product (project). */
export interface ProjectRec {
  ProjectId: number;
  Guid: string;
  Name: string;
  ProjectTemplateId: number;
  members: Set<number>;
  CreationDate: string;
}

/** A stored artifact: the persisted RemoteXxx fields plus the soft-delete flag. */
export interface ArtifactRec {
  data: Record<string, unknown>;
  deleted: boolean;
}

/** A stored incident comment. */
export interface CommentRec {
  CommentId: number;
  ArtifactId: number;
  Guid: string;
  UserId: number;
  Text: string;
  CreationDate: string;
}

const STATUSES: [string, boolean][] = [
  ['New', true],
  ['Open', true],
  ['Assigned', true],
  ['Resolved', false],
  ['Closed', false],
  ['Not Reproducible', false],
  ['Duplicate', false],
  ['Reopen', true],
];
const TYPES = ['Incident', 'Bug', 'Enhancement'];
const RANKS: [string, string][] = [
  ['Critical', 'f47457'],
  ['High', 'f29e56'],
  ['Medium', 'f5d857'],
  ['Low', 'f4f356'],
];

type Sequence =
  | 'user'
  | 'template'
  | 'project'
  | 'incident'
  | 'release'
  | 'comment'
  | 'changeset'
  | 'status'
  | 'type'
  | 'priority'
  | 'severity';

/**
 * In-memory state of the stand-in: accounts, products, templates, artifacts and the fake clock.
 * Artifact ids are global across products (one sequence per artifact type), as in Spira.
 */
export class SpiraStore {
  readonly users = new Map<number, UserRec>();
  readonly templates = new Map<number, TemplateRec>();
  readonly projects = new Map<number, ProjectRec>();
  readonly incidents = new Map<number, ArtifactRec>();
  readonly releases = new Map<number, ArtifactRec>();
  readonly comments = new Map<number, CommentRec[]>();
  /** Incident id → its change sets, oldest first. */
  readonly history = new Map<number, ChangeSetRec[]>();
  private readonly seq: Record<Sequence, number> = {
    user: 0,
    template: 0,
    project: 0,
    incident: 0,
    release: 0,
    comment: 0,
    changeset: 0,
    status: 0,
    type: 0,
    priority: 0,
    severity: 0,
  };
  private clockOffset = 0;
  private lastStamp = 0;

  constructor(private readonly defaultStatusBulkEdit: boolean) {}

  /** Current fake time in epoch ms (real time shifted by {@link advance}). */
  nowMs(): number {
    return Date.now() + this.clockOffset;
  }

  /** Current fake time, formatted. */
  now(): string {
    return formatDate(this.nowMs());
  }

  /**
   * Time stamp for a write (LastUpdateDate/ConcurrencyDate). Strictly increasing, so two writes in
   * the same millisecond still get distinct concurrency tokens.
   */
  stamp(): string {
    this.lastStamp = Math.max(this.nowMs(), this.lastStamp + 1);
    return formatDate(this.lastStamp);
  }

  /** Shifts the fake clock. */
  advance(ms: number): void {
    this.clockOffset += ms;
  }

  /** Next id of a sequence. */
  nextId(kind: Sequence): number {
    this.seq[kind] += 1;
    return this.seq[kind];
  }

  /** Creates a user account. */
  addUser(u: {
    firstName: string;
    lastName: string;
    userName: string;
    apiKey?: string;
    email?: string;
    admin?: boolean;
  }) {
    if (this.findUserByName(u.userName)) throw new Error(`User name '${u.userName}' is already taken`);
    const rec: UserRec = {
      UserId: this.nextId('user'),
      UserGuid: randomUUID(),
      FirstName: u.firstName,
      LastName: u.lastName,
      UserName: u.userName,
      ApiKey: u.apiKey ?? `{${randomUUID().toUpperCase()}}`,
      EmailAddress: u.email ?? null,
      Admin: u.admin ?? false,
      CreationDate: this.now(),
    };
    this.users.set(rec.UserId, rec);
    return rec;
  }

  /** Creates a template with the default incident lookups. */
  addTemplate(name: string): TemplateRec {
    const lookups = (kind: Sequence, names: string[]) =>
      names.map((n) => ({ id: this.nextId(kind), Name: n, Guid: randomUUID() }));
    const statuses = STATUSES.map(([n, open]) => ({
      id: this.nextId('status'),
      Name: n,
      Guid: randomUUID(),
      Open: open,
    }));
    const types = lookups('type', TYPES);
    const ranked = (kind: Sequence) =>
      RANKS.map(([n, color], i) => ({
        id: this.nextId(kind),
        Name: n,
        Guid: randomUUID(),
        Color: color,
        Score: i + 1,
      }));
    const rec: TemplateRec = {
      ProjectTemplateId: this.nextId('template'),
      Name: name,
      Guid: randomUUID(),
      statusBulkEdit: this.defaultStatusBulkEdit,
      statuses,
      types,
      priorities: ranked('priority'),
      severities: ranked('severity'),
      defaultStatusId: (statuses[0] as LookupRec).id,
      defaultTypeId: (types[0] as LookupRec).id,
      CreationDate: this.now(),
    };
    this.templates.set(rec.ProjectTemplateId, rec);
    return rec;
  }

  /** Creates a product, with its own template unless an existing one is named. */
  addProject(p: { name: string; projectId?: number; memberUserIds?: number[]; projectTemplateId?: number }) {
    const id = p.projectId ?? Math.max(this.seq.project, ...this.projects.keys()) + 1;
    if (this.projects.has(id)) throw new Error(`Product ${id} already exists`);
    this.seq.project = Math.max(this.seq.project, id);
    const templateId = p.projectTemplateId ?? this.addTemplate(p.name).ProjectTemplateId;
    if (!this.templates.has(templateId)) throw new Error(`Unknown project template ${templateId}`);
    const rec: ProjectRec = {
      ProjectId: id,
      Guid: randomUUID(),
      Name: p.name,
      ProjectTemplateId: templateId,
      members: new Set(),
      CreationDate: this.now(),
    };
    this.projects.set(id, rec);
    for (const userId of p.memberUserIds ?? []) this.addMember(id, userId);
    return rec;
  }

  /** Makes a user a member of a product. */
  addMember(projectId: number, userId: number): void {
    this.requireUser(userId);
    this.requireProject(projectId).members.add(userId);
  }

  /** A product or a seeding error. */
  requireProject(projectId: number): ProjectRec {
    const p = this.projects.get(projectId);
    if (!p) throw new Error(`Unknown product ${projectId}`);
    return p;
  }

  /** A user or a seeding error. */
  requireUser(userId: number): UserRec {
    const u = this.users.get(userId);
    if (!u) throw new Error(`Unknown user ${userId}`);
    return u;
  }

  /** A template or a seeding error. */
  requireTemplate(templateId: number): TemplateRec {
    const t = this.templates.get(templateId);
    if (!t) throw new Error(`Unknown project template ${templateId}`);
    return t;
  }

  /** The template of a product. */
  templateOf(projectId: number): TemplateRec {
    return this.requireTemplate(this.requireProject(projectId).ProjectTemplateId);
  }

  /** User by login name (case-insensitive, like the SQL Server collation). */
  findUserByName(userName: string): UserRec | undefined {
    const wanted = userName.toLowerCase();
    return [...this.users.values()].find((u) => u.UserName.toLowerCase() === wanted);
  }

  /** User matching a login + API key, if any. */
  authenticate(userName: string, apiKey: string): UserRec | undefined {
    const u = this.findUserByName(userName);
    return u && u.ApiKey.toLowerCase() === apiKey.toLowerCase() ? u : undefined;
  }

  /** Whether the user is a member of the product. */
  isMember(projectId: number, userId: number): boolean {
    return this.projects.get(projectId)?.members.has(userId) ?? false;
  }

  /** A live (non-deleted) artifact of a map. */
  live(map: Map<number, ArtifactRec>, id: number): ArtifactRec | undefined {
    const rec = map.get(id);
    return rec && !rec.deleted ? rec : undefined;
  }

  /** Live artifacts of one product. */
  liveIn(map: Map<number, ArtifactRec>, projectId: number): ArtifactRec[] {
    return [...map.values()].filter((r) => !r.deleted && r.data.ProjectId === projectId);
  }
}
