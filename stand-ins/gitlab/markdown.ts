import { scanBlocks } from './markdown-blocks.js';

/** One quick action found in a text: its lower-cased name and its argument, if any. */
export interface QuickCommand {
  name: string;
  arg: string | undefined;
}

/**
 * Every command name GitLab's extractor knows. Lines of all of them are removed from the stored
 * text, even those this stand-in does not execute (the extractor matches every defined command
 * and only then checks which are available).
 */
const COMMAND_NAMES = [
  'close',
  'reopen',
  'title',
  'label',
  'labels',
  'unlabel',
  'remove_label',
  'relabel',
  'assign',
  'unassign',
  'reassign',
  'milestone',
  'remove_milestone',
  'due',
  'remove_due_date',
  'confidential',
  'lock',
  'unlock',
  'todo',
  'done',
  'subscribe',
  'unsubscribe',
  'react',
  'award',
  'estimate',
  'estimate_time',
  'remove_estimate',
  'remove_time_estimate',
  'spend',
  'spent',
  'spend_time',
  'remove_time_spent',
  'copy_metadata',
  'duplicate',
  'move',
  'clone',
  'relate',
  'unrelate',
  'blocks',
  'blocked_by',
  'weight',
  'clear_weight',
  'iteration',
  'epic',
  'promote_to',
  'severity',
  'zoom',
  'remove_zoom',
  'board_move',
  'create_merge_request',
];

/**
 * The extractor's pattern, run over one paragraph: inline code (`` `.+?` ``, across lines) and
 * HTML blocks are skipped; a command is `/name` at a line start, an optional ` argument`, and the
 * rest of the line with any blank lines after it. Case-insensitive.
 */
const COMMANDS_RE = new RegExp(
  [
    '(?<inline>`.+?`)',
    '(?<html>^<[^>]+?>\\n.+?\\n<\\/[^>]+?>$)',
    `^\\/(?<cmd>${COMMAND_NAMES.join('|')})(?:[ ](?<arg>[^\\n]*))?(?:\\s*\\n|$)`,
  ].join('|'),
  'gims',
);

/**
 * `Gitlab::QuickActions::Extractor#extract_commands`: removes `\r`, then looks for commands only in
 * top-level paragraphs (never in code blocks, quotes, lists or HTML blocks), removes their lines
 * and right-strips the result.
 */
export function extractQuickActions(input: string): { content: string; commands: QuickCommand[] } {
  const text = input.replaceAll('\r', '');
  const lines = text.split(/(?<=\n)/);
  const commands: QuickCommand[] = [];
  const paragraphs = scanBlocks(text.split('\n')).filter((b) => b.kind === 'paragraph');
  for (const { start, end } of paragraphs) {
    // As in GitLab, one blank line after the paragraph goes with it, so `\s*\n` can swallow it.
    const last = lines[end + 1] === '\n' ? end + 1 : end;
    const paragraph = lines.slice(start, last + 1).join('');
    const rest = paragraph.replace(COMMANDS_RE, (match: string, ...groups: unknown[]) => {
      const named = groups.at(-1) as { cmd?: string; arg?: string };
      if (!named.cmd) return match;
      const arg = named.arg?.trim();
      commands.push({ name: named.cmd.toLowerCase(), arg: arg ? arg : undefined });
      return '';
    });
    lines.fill('', start, last + 1);
    lines[start] = rest;
  }
  return { content: lines.join('').trimEnd(), commands };
}

/** Removes code blocks (fenced or indented) and HTML comments, which never mention anyone. */
function dropCodeBlocks(text: string): string {
  const lines = text.split('\n');
  for (const block of scanBlocks(lines)) {
    if (block.kind === 'code') lines.fill('', block.start, block.end + 1);
  }
  return lines.join('\n').replace(/<!--[\s\S]*?(-->|$)/g, ' ');
}

/** Removes inline code spans: a run of n back-ticks up to the next run of exactly n. */
function dropCodeSpans(text: string): string {
  let out = '';
  let pos = 0;
  const runs = /`+/g;
  for (let m = runs.exec(text); m; m = runs.exec(text)) {
    const closing = new RegExp(`(?<!\`)${m[0]}(?!\`)`, 'g');
    closing.lastIndex = m.index + m[0].length;
    const end = closing.exec(text);
    if (!end) continue;
    out += `${text.slice(pos, m.index)} `;
    pos = end.index + end[0].length;
    runs.lastIndex = pos;
  }
  return out + text.slice(pos);
}

/** Hides backslash-escaped characters (`\@alice` is no mention; `\\@alice` is). */
function dropEscapes(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, (_all, ch: string) => (ch === '@' ? '\u0000' : `\u0000${ch}`));
}

/**
 * Usernames written as `@name` in Markdown that GitLab would turn into user references: not
 * inside code, not escaped, and not preceded by a word character (so e-mail addresses do not count).
 */
export function findMentions(text: string): string[] {
  const visible = dropEscapes(dropCodeSpans(dropCodeBlocks(text.replaceAll('\r', ''))));
  const names = new Set<string>();
  for (const m of visible.matchAll(/(?<![\w])@([A-Za-z0-9_.][A-Za-z0-9_.-]*)/g)) {
    const name = (m[1] ?? '').replace(/\.+$/, '');
    if (name) names.add(name.toLowerCase());
  }
  return [...names];
}
