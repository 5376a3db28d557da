import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const markdown = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'del',
    's',
    'ins',
    'sup',
    'sub',
    'details',
    'summary',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    code: ['class'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    input: ['type', 'checked', 'disabled'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Renders GitLab Markdown as sanitized HTML: no scripts, no event-handler attributes, no `javascript:` URLs. */
export function markdownToSafeHtml(text: string): string {
  return sanitizeHtml(markdown.parse(text) as string, SANITIZE).trim();
}

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
