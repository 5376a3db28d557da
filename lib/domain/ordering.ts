/**
 * Whether an event happened before the issue state last applied. Compared by whole seconds, because real
 * deliveries carry `YYYY-MM-DD HH:MM:SS UTC` while REST has milliseconds:
 *
 *   applied 12:00:00.400 (REST) ── event 12:00:00 (hook, may be a later edit in the same second) → not older
 *   applied 12:00:05.000        ── event 12:00:03                                              → older: skip
 */
export function isOlder(eventAt: string, appliedAt: string): boolean {
  return Math.floor(Date.parse(eventAt) / 1000) < Math.floor(Date.parse(appliedAt) / 1000);
}
