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
  'tableflip',
  'shrug',
];

/** `^\/(?<cmd>…)(?:[ ](?<arg>[^\n]*))?(?:\s*\n|$)` of `Gitlab::QuickActions::Extractor`, case-insensitive. */
const COMMAND_RE = new RegExp(`\\/(${COMMAND_NAMES.join('|')})(?:[ ]([^\\n]*))?(?:\\s*\\n|$)`, 'imy');

function isLineEnd(text: string, at: number): boolean {
  return at === text.length || text[at] === '\n';
}

/** End of the first `needle` at or after `from` that is followed by a line end (`…$`), or -1. */
function findClosing(text: string, needle: string, from: number): number {
  for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, at + 1)) {
    if (isLineEnd(text, at + needle.length)) return at + needle.length;
  }
  return -1;
}

/** The extractor's `^<[^>]+?>\n.+?\n<\/[^>]+?>$` (an HTML block) starting at `start`. */
function htmlBlockEnd(text: string, start: number): number {
  if (text[start] !== '<') return -1;
  const open = text.indexOf('>', start + 1);
  if (open < start + 2 || text[open + 1] !== '\n') return -1;
  for (let at = text.indexOf('\n</', open + 3); at >= 0; at = text.indexOf('\n</', at + 1)) {
    const close = text.indexOf('>', at + 3);
    if (close >= at + 4 && isLineEnd(text, close + 1)) return close + 1;
  }
  return -1;
}

/**
 * End of a block the extractor leaves alone when one starts at line start `start`, or -1: a
 * ``` code block, "inline code on separate rows" (`^.*`\n*.+?\n*`$` with `.` matching new lines,
 * which in effect runs to the last back-tick that ends a line), an HTML block or a `>>>` quote.
 */
function protectedEnd(text: string, start: number, lastTickAtEol: number): number {
  if (text.startsWith('```', start)) {
    const end = findClosing(text, '\n```', start + 4);
    if (end >= 0) return end;
  }
  const tick = text.indexOf('`', start);
  if (tick >= 0 && tick <= lastTickAtEol - 2) return lastTickAtEol + 1;
  const html = htmlBlockEnd(text, start);
  if (html >= 0) return html;
  if (text.startsWith('>>>', start)) return findClosing(text, '\n>>>', start + 4);
  return -1;
}

function lastBacktickAtLineEnd(text: string): number {
  for (let at = text.lastIndexOf('`'); at >= 0; at = text.lastIndexOf('`', at - 1)) {
    if (isLineEnd(text, at + 1)) return at;
    if (at === 0) break;
  }
  return -1;
}

/**
 * `Gitlab::QuickActions::Extractor#extract_commands`: removes `\r`, takes out every command line
 * (a line starting with `/name`, not inside the blocks above) and right-strips the result.
 */
export function extractQuickActions(input: string): { content: string; commands: QuickCommand[] } {
  const text = input.replaceAll('\r', '');
  const lastTick = lastBacktickAtLineEnd(text);
  const commands: QuickCommand[] = [];
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const blockEnd = protectedEnd(text, pos, lastTick);
    if (blockEnd < 0) {
      COMMAND_RE.lastIndex = pos;
      const m = COMMAND_RE.exec(text);
      if (m) {
        const arg = m[2]?.trim();
        commands.push({ name: (m[1] ?? '').toLowerCase(), arg: arg ? arg : undefined });
        pos += m[0].length;
        continue;
      }
    }
    const lineEnd = text.indexOf('\n', Math.max(blockEnd, pos));
    const next = lineEnd < 0 ? text.length : lineEnd + 1;
    out += text.slice(pos, next);
    pos = next;
  }
  return { content: out.trimEnd(), commands };
}

/** Removes fenced and indented code blocks and HTML comments, which never mention anyone. */
function dropCodeBlocks(text: string): string {
  const kept: string[] = [];
  let fence: { char: string; size: number } | undefined;
  let previousBlankOrCode = true;
  for (const line of text.split('\n')) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close?.[1]?.[0] === fence.char && (close[1]?.length ?? 0) >= fence.size) fence = undefined;
      continue;
    }
    if (open?.[1]) {
      fence = { char: open[1][0] ?? '`', size: open[1].length };
      continue;
    }
    const indentedCode: boolean = /^( {4}|\t)/.test(line) && previousBlankOrCode && line.trim() !== '';
    previousBlankOrCode = line.trim() === '' || indentedCode;
    if (!indentedCode) kept.push(line);
  }
  return kept.join('\n').replace(/<!--[\s\S]*?(-->|$)/g, ' ');
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
