// Kept apart from markup.ts so that code that only reads markers does not load marked and sanitize-html.

/** Escapes text for inclusion in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const MARKER = /<!-- spira-gitlab-sync ([a-z-]+:[^ ]+) -->/g;

/**
 * An invisible marker naming the item a text was written for (`gitlab-issue:12/5`). Written in the same
 * request that creates the counterpart, so that a retry after a crash can find and adopt it.
 */
export function marker(ref: string): string {
  return `<!-- spira-gitlab-sync ${ref} -->`;
}

/** The refs of every marker in a text. */
export function markersIn(text: string | null | undefined): string[] {
  return [...(text ?? '').matchAll(MARKER)].map((match) => match[1] as string);
}
