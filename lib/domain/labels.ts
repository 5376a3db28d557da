/** Config `projects[].labels`: GitLab labels ⇄ Spira priority, severity and type ids; other labels ⇄ Tags. */
export interface LabelMaps {
  priority: Readonly<Record<string, number>>;
  severity: Readonly<Record<string, number>>;
  type: Readonly<Record<string, number>>;
  /** Labels in no map ⇄ the incident's comma-separated `Tags`. */
  otherLabelsAsTags: boolean;
}

/** The incident fields labels drive. */
export interface LabelledFields {
  PriorityId: number | null;
  SeverityId: number | null;
  IncidentTypeId: number | null;
  Tags: string | null;
}

const KINDS = ['priority', 'severity', 'type'] as const;
const FIELD = { priority: 'PriorityId', severity: 'SeverityId', type: 'IncidentTypeId' } as const;

function isMapped(label: string, maps: LabelMaps): boolean {
  return KINDS.some((kind) => maps[kind][label] !== undefined);
}

function tagsOf(tags: string | null): string[] {
  return (tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The labels the sync is responsible for (mapped ones, and the others when they sync as Tags), sorted. */
export function syncedLabels(labels: readonly string[], maps: LabelMaps): string[] {
  return [...new Set(labels.filter((l) => isMapped(l, maps) || maps.otherLabelsAsTags))].sort();
}

/** Incident fields from an issue's labels: the first mapped label (sorted) of each kind, and the rest as Tags. */
export function fieldsFromLabels(labels: readonly string[], maps: LabelMaps): Partial<LabelledFields> {
  const sorted = [...labels].sort();
  const out: Partial<LabelledFields> = {};
  for (const kind of KINDS) {
    const id = sorted.map((l) => maps[kind][l]).find((v) => v !== undefined);
    // An issue without a type label keeps the incident's type (Spira requires one).
    if (id !== undefined || kind !== 'type') out[FIELD[kind]] = id ?? null;
  }
  if (maps.otherLabelsAsTags) {
    const others = sorted.filter((l) => !isMapped(l, maps));
    out.Tags = others.length > 0 ? others.join(', ') : null;
  }
  return out;
}

/** The label set an incident stands for (reverse maps: the first label configured for an id), sorted. */
export function labelsFromIncident(incident: LabelledFields, maps: LabelMaps): string[] {
  const labels: string[] = [];
  for (const kind of KINDS) {
    const id = incident[FIELD[kind]];
    const label = Object.entries(maps[kind]).find(([, v]) => v === id)?.[0];
    if (label) labels.push(label);
  }
  if (maps.otherLabelsAsTags) labels.push(...tagsOf(incident.Tags).filter((t) => !isMapped(t, maps)));
  return [...new Set(labels)].sort();
}

/** The issue's new label list: its labels the sync does not manage, plus the incident's label set. */
export function issueLabelsWith(
  current: readonly string[],
  fromIncident: readonly string[],
  maps: LabelMaps,
): string[] {
  const unmanaged = current.filter((l) => !syncedLabels([l], maps).length);
  return [...new Set([...unmanaged, ...fromIncident])].sort();
}
