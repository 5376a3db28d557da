import TurndownService from 'turndown';

const turndown = new TurndownService({
  headingStyle: 'atx',
  codeBlockStyle: 'fenced',
  bulletListMarker: '-',
});

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const QUICK_ACTION = /^(\s*)(\/[a-z_]+\b.*)$/i;
const MENTION = /(^|[^\w`\\/])(@[a-zA-Z0-9_][a-zA-Z0-9_.-]*)/g;

/** How text we write into GitLab treats `@name`: inert (default) or as written. */
export type MentionPolicy = 'neutralize' | 'keep';

/**
 * Makes text safe to write into GitLab: a line that GitLab would run as a quick action (`/close`,
 * `/assign @x`) and, by default, every `@mention` are wrapped in code spans: readers still see them, GitLab
 * neither executes nor notifies. Fenced code blocks and existing code spans are left alone (GitLab ignores both).
 */
export function neutralizeForGitLab(markdown: string, mentions: MentionPolicy): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const open = FENCE.exec(line)?.[1];
      if (open && (fence === undefined || open.startsWith(fence))) {
        fence = fence === undefined ? open : undefined;
        return line;
      }
      if (fence !== undefined) return line;
      const action = QUICK_ACTION.exec(line);
      if (action) return `${action[1]}${codeSpan(action[2] as string)}`;
      return mentions === 'neutralize'
        ? outsideCodeSpans(line, (text) => text.replace(MENTION, (_, pre, at) => `${pre}${codeSpan(at)}`))
        : line;
    })
    .join('\n');
}

function codeSpan(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return ticks === '``' ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function outsideCodeSpans(line: string, transform: (text: string) => string): string {
  return line
    .split(/(`+[^`]*`+)/)
    .map((part, index) => (index % 2 === 1 ? part : transform(part)))
    .join('');
}

/** Paragraphs the sync wrote into Spira itself (attribution, edit notes); not sent back to GitLab. */
const OWN_PARAGRAPH =
  /<p><em>(?:Reported|Posted|Edited) in GitLab by [^<]*(?:<a [^>]*>[^<]*<\/a>)?[^<]*<\/em><\/p>/g;

/** Spira HTML → GitLab Markdown (turndown), without the sync's own attribution lines and markers. */
export function htmlToMarkdown(html: string | null | undefined): string {
  const own = (html ?? '').replace(OWN_PARAGRAPH, '').replace(/<!-- spira-gitlab-sync [^>]* -->/g, '');
  return turndown.turndown(own).trim();
}

/** Lines the sync wrote into GitLab itself (attribution, link back, marker); not sent back to Spira. */
const OWN_LINE =
  /^(?:_(?:Reported in Spira by|Synced from Spira|Posted in Spira by)[^\n]*_|<!-- spira-gitlab-sync [^>]* -->)\s*$/gm;

/** GitLab Markdown without the sync's own lines. */
export function stripOwnMarkdown(markdown: string): string {
  return markdown.replace(OWN_LINE, '').trim();
}
