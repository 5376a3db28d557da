import { marker, markersIn } from '../../lib/domain/marker.js';
import type { Harness } from '../helpers/sync-harness.js';
import { Rng, sleep } from './random.js';

export type Side = 'gitlab' | 'spira';
export type Field = 'title' | 'description' | 'state';

/** One thing a person did, with its time: what the final checks hold the sync to. */
export interface JournalEntry {
  /** Epoch ms just before the write. */
  at: number;
  who: string;
  side: Side;
  action: 'create' | 'edit' | 'note' | 'edit-note' | 'comment';
  /** Logical item (`gl#<iid>` born in GitLab, `sp#<id>` born in Spira). */
  item: string;
  /** The item as the person saw it (`#12`, `IN:7`). */
  ref: string;
  field?: Field;
  /** A title, a description's plain text, `opened` / `closed`, or a note's text. */
  value?: string;
  token: string;
  /** Logical note (`note#<id>` born in GitLab, `comment#<id>` born in Spira). */
  note?: string;
  /** Description edits: kept the sync's invisible markers, or rewrote the whole text. */
  mode?: 'keep' | 'rewrite';
  /** Part of a same-field edit on both sides at (nearly) the same time. */
  concurrent?: boolean;
  error?: string;
}

/** A note or comment made by a person. */
export interface PersonNote {
  key: string;
  item: string;
  side: Side;
  /** GitLab note id or Spira comment id. */
  id: number;
  /** GitLab iid or Spira incident id it was made on. */
  on: number;
  author: string;
  tokens: string[];
}

/** A logical item made by a person. */
export interface PersonItem {
  key: string;
  origin: Side;
  /** GitLab iid or Spira incident id. */
  id: number;
  tokens: string[];
}

const TOKEN = /\bk\d+n\d+\b/g;
const WORDS = [
  'alpha',
  'bravo',
  'delta',
  'kilo',
  'lima',
  'oscar',
  'tango',
  'amber',
  'cedar',
  'maple',
  'river',
  'stone',
  'cloud',
  'ember',
  'frost',
  'grove',
];

/** The person tokens in a text. */
export function tokensIn(text: string | null | undefined): string[] {
  return [...(text ?? '').matchAll(TOKEN)].map((m) => m[0]);
}

/** Who made which token: every person write carries a fresh one, so any copy of it is traceable. */
export class TokenRegistry {
  readonly items = new Map<string, PersonItem>();
  readonly notes = new Map<string, PersonNote>();
  private readonly owners = new Map<string, { item: string; note?: string }>();
  private n = 0;

  constructor(private readonly seed: number) {}

  fresh(): string {
    this.n++;
    return `k${this.seed}n${this.n}`;
  }

  own(token: string, item: string, note?: string): void {
    this.owners.set(token, note ? { item, note } : { item });
    if (note) this.notes.get(note)?.tokens.push(token);
    else this.items.get(item)?.tokens.push(token);
  }

  ownerOf(token: string): { item: string; note?: string } | undefined {
    return this.owners.get(token);
  }

  /** The logical items whose item tokens (not note tokens) occur in a text. */
  itemsIn(text: string | null | undefined): string[] {
    const found = new Set<string>();
    for (const token of tokensIn(text)) {
      const owner = this.owners.get(token);
      if (owner && !owner.note) found.add(owner.item);
    }
    return [...found];
  }

  /** The logical notes whose tokens occur in a text. */
  notesIn(text: string | null | undefined): { note: string; token: string }[] {
    const found: { note: string; token: string }[] = [];
    for (const token of tokensIn(text)) {
      const owner = this.owners.get(token);
      if (owner?.note) found.push({ note: owner.note, token });
    }
    return found;
  }
}

type GitLabPerson = 'fred' | 'joe' | 'alice';
type SpiraPerson = 'fred' | 'joe' | 'amy';

/** How often each person does what (per action). */
const GITLAB_ACTIONS = { create: 12, title: 20, description: 16, state: 14, note: 26, editNote: 12 };
const SPIRA_ACTIONS = { create: 12, title: 22, description: 18, state: 16, comment: 32 };

/**
 * Seeded people editing both sides at once: GitLab users through the REST API (Fred, Joe, Alice), Spira users
 * through the stand-in's web-UI helpers (Fred, Joe, Amy), plus a pair who edit the same field of one item
 * on both sides within 1.5 s. Every write is journaled with its time.
 */
export class People {
  readonly journal: JournalEntry[] = [];
  readonly registry: TokenRegistry;
  private stopAt = 0;
  private readonly statuses: { open: number[]; closed: number[] };

  constructor(
    private readonly h: Harness,
    private readonly seed: number,
    private readonly pace: { minGapMs: number; maxGapMs: number; duoGapMs: [number, number] },
  ) {
    this.registry = new TokenRegistry(seed);
    const statuses = h.spira.statuses(h.world.spiraProjectId);
    this.statuses = {
      open: statuses.filter((s) => s.Open).map((s) => s.IncidentStatusId),
      closed: statuses
        .filter((s) => !s.Open && ['Closed', 'Resolved'].includes(s.Name))
        .map((s) => s.IncidentStatusId),
    };
  }

  /** Everybody acts until `durationMs` is over. */
  async run(durationMs: number): Promise<void> {
    this.stopAt = Date.now() + durationMs;
    const gitlab: GitLabPerson[] = ['fred', 'joe', 'alice'];
    const spira: SpiraPerson[] = ['fred', 'joe', 'amy'];
    await Promise.all([
      ...gitlab.map((who) => this.actor(`gitlab:${who}`, () => this.gitlabAct(who))),
      ...spira.map((who) => this.actor(`spira:${who}`, () => this.spiraAct(who))),
      this.duo(),
    ]);
  }

  private async actor(name: string, act: () => Promise<void>): Promise<void> {
    const rng = this.rngOf(name);
    // Start at different times so the first creates are not all at once.
    await sleep(rng.int(this.pace.maxGapMs));
    while (Date.now() < this.stopAt) {
      await act();
      await sleep(rng.between(this.pace.minGapMs, this.pace.maxGapMs));
    }
  }

  private readonly rngs = new Map<string, Rng>();
  private rngOf(name: string): Rng {
    let rng = this.rngs.get(name);
    if (!rng) {
      rng = new Rng(this.seed, `person:${name}`);
      this.rngs.set(name, rng);
    }
    return rng;
  }

  private text(rng: Rng, token: string, words: number): string {
    return [token, ...Array.from({ length: words }, () => rng.pick(WORDS) as string)].join(' ');
  }

  // ---- what people see -------------------------------------------------------------------------

  private get gpid() {
    return this.h.world.gitlabProjectId;
  }
  private get pid() {
    return this.h.world.spiraProjectId;
  }

  /** GitLab issues that belong to a logical item (people only touch items they can recognise). */
  private visibleIssues() {
    return this.h.gitlab
      .issues(this.gpid)
      .map((issue) => ({ issue, item: this.registry.itemsIn(`${issue.title}\n${issue.description}`)[0] }))
      .filter((x): x is { issue: (typeof x)['issue']; item: string } => x.item !== undefined);
  }

  private visibleIncidents() {
    return this.h.spira
      .incidents(this.pid)
      .map((incident) => ({
        incident,
        item: this.registry.itemsIn(`${incident.Name}\n${incident.Description ?? ''}`)[0],
      }))
      .filter((x): x is { incident: (typeof x)['incident']; item: string } => x.item !== undefined);
  }

  /** Registers an item a person made and journals its title, description and state. */
  private created(
    base: Pick<JournalEntry, 'at' | 'who' | 'side' | 'concurrent'>,
    origin: Side,
    id: number,
    ref: string,
    [title, token]: [string, string],
    [description, dtoken]: [string, string],
    state: string,
  ): void {
    const item = `${origin === 'gitlab' ? 'gl' : 'sp'}#${id}`;
    this.registry.items.set(item, { key: item, origin, id, tokens: [] });
    this.registry.own(token, item);
    this.registry.own(dtoken, item);
    const entry = { ...base, action: 'create' as const, item, ref };
    this.log({ ...entry, field: 'title', value: title, token });
    this.log({ ...entry, field: 'description', value: description, token: dtoken });
    this.log({ ...entry, field: 'state', value: state, token });
  }

  private log(entry: JournalEntry): void {
    this.journal.push(entry);
  }

  // ---- GitLab people ---------------------------------------------------------------------------

  private async gitlabAct(who: GitLabPerson, forced?: { item: string; field: Field }): Promise<void> {
    const rng = this.rngOf(`gitlab:${who}`);
    const action = forced ? forced.field : rng.weighted(GITLAB_ACTIONS);
    const base = { who: `gitlab:${who}`, side: 'gitlab' as const, ...(forced ? { concurrent: true } : {}) };
    if (action === 'create') {
      const token = this.registry.fresh();
      const dtoken = this.registry.fresh();
      const title = this.text(rng, token, 2);
      const description = this.text(rng, dtoken, 4);
      const at = Date.now();
      const { status, json } = await this.h.gitlabAs(who, 'POST', `projects/${this.gpid}/issues`, {
        title,
        description,
      });
      if (status !== 201)
        return this.log({
          ...base,
          at,
          action: 'create',
          item: '?',
          ref: '?',
          token,
          error: `HTTP ${status}`,
        });
      this.created(
        { ...base, at },
        'gitlab',
        json.iid,
        `#${json.iid}`,
        [title, token],
        [description, dtoken],
        'opened',
      );
      return;
    }
    const target = forced
      ? this.visibleIssues().find((x) => x.item === forced.item)
      : rng.pick(this.visibleIssues());
    if (!target) return;
    const { issue, item } = target;
    const ref = `#${issue.iid}`;
    const path = `projects/${this.gpid}/issues/${issue.iid}`;
    const token = this.registry.fresh();
    const at = Date.now();
    const put = async (
      body: unknown,
      entry: Omit<JournalEntry, 'at' | 'who' | 'side' | 'item' | 'ref' | 'token'>,
    ) => {
      const { status } = await this.h.gitlabAs(who, 'PUT', path, body);
      if (status !== 200)
        return this.log({ ...base, ...entry, at, item, ref, token, error: `HTTP ${status}` });
      this.registry.own(token, item);
      this.log({ ...base, ...entry, at, item, ref, token });
    };
    if (action === 'title') {
      const title = this.text(rng, token, 2);
      return put({ title }, { action: 'edit', field: 'title', value: title });
    }
    if (action === 'description') {
      const text = this.text(rng, token, 4);
      const mode = rng.chance(0.3) ? 'rewrite' : 'keep';
      const kept = markersIn(issue.description).map(marker);
      const description = mode === 'keep' && kept.length ? `${text}\n\n${kept.join('\n')}` : text;
      return put({ description }, { action: 'edit', field: 'description', value: text, mode });
    }
    if (action === 'state') {
      const next = issue.state === 'opened' ? 'closed' : 'opened';
      return put(
        { state_event: next === 'closed' ? 'close' : 'reopen' },
        { action: 'edit', field: 'state', value: next },
      );
    }
    if (action === 'note') {
      const body = this.text(rng, token, 3);
      const { status, json } = await this.h.gitlabAs(who, 'POST', `${path}/notes`, { body });
      if (status !== 201)
        return this.log({ ...base, at, action: 'note', item, ref, token, error: `HTTP ${status}` });
      const note = `note#${json.id}`;
      this.registry.notes.set(note, {
        key: note,
        item,
        side: 'gitlab',
        id: json.id,
        on: issue.iid,
        author: who,
        tokens: [],
      });
      this.registry.own(token, item, note);
      return this.log({ ...base, at, action: 'note', item, ref, token, note, value: body });
    }
    // Edit one of my own notes.
    const mine = [...this.registry.notes.values()].filter((n) => n.side === 'gitlab' && n.author === who);
    const note = rng.pick(mine);
    if (!note) return;
    const body = this.text(rng, token, 3);
    const { status } = await this.h.gitlabAs(
      who,
      'PUT',
      `projects/${this.gpid}/issues/${note.on}/notes/${note.id}`,
      {
        body,
      },
    );
    const noteRef = `#${note.on}`;
    if (status !== 200)
      return this.log({
        ...base,
        at,
        action: 'edit-note',
        item: note.item,
        ref: noteRef,
        token,
        note: note.key,
        error: `HTTP ${status}`,
      });
    this.registry.own(token, note.item, note.key);
    this.log({
      ...base,
      at,
      action: 'edit-note',
      item: note.item,
      ref: noteRef,
      token,
      note: note.key,
      value: body,
    });
  }

  // ---- Spira people ----------------------------------------------------------------------------

  private async spiraAct(who: SpiraPerson, forced?: { item: string; field: Field }): Promise<void> {
    const rng = this.rngOf(`spira:${who}`);
    const userId = this.h.world.spira[who];
    const action = forced ? forced.field : rng.weighted(SPIRA_ACTIONS);
    const base = { who: `spira:${who}`, side: 'spira' as const, ...(forced ? { concurrent: true } : {}) };
    const attempt = (at: number, entry: Omit<JournalEntry, 'at' | 'who' | 'side'>, write: () => void) => {
      try {
        write();
        this.log({ ...base, ...entry, at });
        return true;
      } catch (error) {
        this.log({ ...base, ...entry, at, error: String(error) });
        return false;
      }
    };
    if (action === 'create') {
      const token = this.registry.fresh();
      const dtoken = this.registry.fresh();
      const name = this.text(rng, token, 2);
      const text = this.text(rng, dtoken, 4);
      const at = Date.now();
      const made = this.h.spira.createIncident(this.pid, userId, {
        Name: name,
        Description: `<p>${text}</p>`,
      });
      const open = this.statuses.open.includes(made.IncidentStatusId);
      const ref = `IN:${made.IncidentId}`;
      this.created(
        { ...base, at },
        'spira',
        made.IncidentId,
        ref,
        [name, token],
        [text, dtoken],
        open ? 'opened' : 'closed',
      );
      return;
    }
    const target = forced
      ? this.visibleIncidents().find((x) => x.item === forced.item)
      : rng.pick(this.visibleIncidents());
    if (!target) return;
    const { incident, item } = target;
    const id = incident.IncidentId;
    const ref = `IN:${id}`;
    const token = this.registry.fresh();
    const at = Date.now();
    const edit = (
      fields: Record<string, unknown>,
      entry: Omit<JournalEntry, 'at' | 'who' | 'side' | 'item' | 'ref' | 'token'>,
    ) => {
      if (
        attempt(at, { ...entry, item, ref, token }, () =>
          this.h.spira.updateIncident(this.pid, id, userId, fields),
        )
      )
        this.registry.own(token, item);
    };
    if (action === 'title') {
      const name = this.text(rng, token, 2);
      return edit({ Name: name }, { action: 'edit', field: 'title', value: name });
    }
    if (action === 'description') {
      const text = this.text(rng, token, 4);
      const mode = rng.chance(0.3) ? 'rewrite' : 'keep';
      const kept = mode === 'keep' ? markersIn(incident.Description).map(marker).join('') : '';
      return edit(
        { Description: `<p>${text}</p>${kept}` },
        { action: 'edit', field: 'description', value: text, mode },
      );
    }
    if (action === 'state') {
      const open = this.statuses.open.includes(incident.IncidentStatusId);
      const toClosed = open;
      const status = rng.pick(toClosed ? this.statuses.closed : this.statuses.open) as number;
      return edit(
        { IncidentStatusId: status },
        { action: 'edit', field: 'state', value: toClosed ? 'closed' : 'opened' },
      );
    }
    const text = this.text(rng, token, 3);
    let commentId = 0;
    if (
      attempt(at, { action: 'comment', item, ref, token, value: text }, () => {
        commentId = this.h.spira.addComment(this.pid, id, userId, `<p>${text}</p>`).CommentId;
      })
    ) {
      const note = `comment#${commentId}`;
      this.registry.notes.set(note, {
        key: note,
        item,
        side: 'spira',
        id: commentId,
        on: id,
        author: who,
        tokens: [],
      });
      this.registry.own(token, item, note);
      const last = this.journal.at(-1);
      if (last) last.note = note;
    }
  }

  // ---- the same field edited on both sides at (nearly) the same time ---------------------------

  private async duo(): Promise<void> {
    const rng = this.rngOf('duo');
    await sleep(rng.between(...this.pace.duoGapMs));
    while (Date.now() < this.stopAt) {
      const gitlabItems = new Set(this.visibleIssues().map((x) => x.item));
      const paired = this.visibleIncidents().filter((x) => gitlabItems.has(x.item));
      const pick = rng.pick(paired);
      if (pick) {
        const field = rng.pick(['title', 'description', 'state'] as const) as Field;
        const forced = { item: pick.item, field };
        const gitlabWho = rng.pick(['fred', 'joe', 'alice'] as const) as GitLabPerson;
        const spiraWho = rng.pick(['fred', 'joe', 'amy'] as const) as SpiraPerson;
        const offset = rng.int(1500);
        const gitlabFirst = rng.chance(0.5);
        await Promise.all([
          sleep(gitlabFirst ? 0 : offset).then(() => this.gitlabAct(gitlabWho, forced)),
          sleep(gitlabFirst ? offset : 0).then(() => this.spiraAct(spiraWho, forced)),
        ]);
      }
      await sleep(rng.between(...this.pace.duoGapMs));
    }
  }
}
