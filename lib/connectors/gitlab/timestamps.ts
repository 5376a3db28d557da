import { z } from 'zod';

// GitLab writes times three ways: real async deliveries `2021-06-22 02:38:01 UTC`, "Test" deliveries and REST
// `2025-05-21T16:06:02.869Z`, older docs `2013-12-03T17:15:43Z`; offsets `+02:00` appear too.
const UTC_SUFFIX = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const SPACED_OFFSET = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?([+-]\d{2}:?\d{2})$/;

/** Parses any timestamp form GitLab sends into an ISO-8601 UTC string, or undefined when it is none of them. */
export function parseGitLabTimestamp(text: string): string | undefined {
  const utc = UTC_SUFFIX.exec(text);
  const spaced = SPACED_OFFSET.exec(text);
  const iso = utc
    ? `${utc[1]}T${utc[2]}Z`
    : spaced
      ? `${spaced[1]}T${spaced[2]}${spaced[3]}`
      : ISO.test(text)
        ? text
        : undefined;
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A GitLab timestamp in any of its forms, normalised to ISO-8601 UTC. */
export const GitLabTimestampSchema = z.string().transform((text, ctx) => {
  const iso = parseGitLabTimestamp(text);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a GitLab timestamp: "${text.slice(0, 40)}"` });
    return z.NEVER;
  }
  return iso;
});
