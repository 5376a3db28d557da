/** Kind of a top-level Markdown block. */
export type BlockKind = 'paragraph' | 'code' | 'html' | 'quote' | 'list' | 'heading' | 'table' | 'rule';

/** A top-level block, by inclusive line indexes. */
export interface Block {
  kind: BlockKind;
  start: number;
  end: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}>/;
const GITLAB_QUOTE = /^>>>/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const INDENTED = /^(?: {4}|\t)/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const HTML_COMMENT = /^ {0,3}<!--/;
const HTML_RAW = /^ {0,3}<(script|pre|style|textarea)(?:[\s>]|$)/i;
const HTML_BLOCK_TAG = new RegExp(
  `^ {0,3}</?(?:${[
    'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog',
    'dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html',
    'iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section',
    'summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul',
  ].join('|')})(?:[\\s/>]|$)`,
  'i',
);
/** CommonMark HTML block type 7: a lone open or close tag (cannot interrupt a paragraph). */
const HTML_LONE_TAG =
  /^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)\s*$/;

const isBlank = (line: string | undefined) => line === undefined || line.trim() === '';

function untilBlank(lines: string[], from: number): number {
  let end = from;
  while (!isBlank(lines[end + 1])) end += 1;
  return end;
}

/** Index of the first line at or after `from` passing `test`, or the last line when none does. */
function findLine(lines: string[], from: number, test: (line: string) => boolean): number {
  for (let at = from; at < lines.length; at += 1) if (test(lines[at] ?? '')) return at;
  return lines.length - 1;
}

/** An unclosed fence runs to the end of the text. */
function fenceEnd(lines: string[], start: number): number {
  const marker = FENCE.exec(lines[start] ?? '')?.[1] ?? '```';
  return findLine(lines, start + 1, (line) => {
    const close = FENCE_CLOSE.exec(line)?.[1];
    return close !== undefined && close[0] === marker[0] && close.length >= marker.length;
  });
}

function indentedEnd(lines: string[], start: number): number {
  let end = start;
  for (let at = start + 1; at < lines.length; at += 1) {
    const line = lines[at] ?? '';
    if (INDENTED.test(line)) end = at;
    else if (!isBlank(line)) break;
  }
  return end;
}

function htmlEnd(lines: string[], start: number): number {
  const line = lines[start] ?? '';
  if (HTML_COMMENT.test(line)) return findLine(lines, start, (l) => l.includes('-->'));
  const raw = HTML_RAW.exec(line)?.[1];
  if (raw) return findLine(lines, start, (l) => l.toLowerCase().includes(`</${raw.toLowerCase()}>`));
  return untilBlank(lines, start);
}

/** GitLab's `>>>` … `>>>` multi-line quote; an unclosed `>>>` is an ordinary quote line. */
function gitlabQuoteEnd(lines: string[], start: number): number {
  for (let at = start + 1; at < lines.length; at += 1) if (/^>>>[ \t]*$/.test(lines[at] ?? '')) return at;
  return untilBlank(lines, start);
}

/** A list runs on across blank lines while the next content is indented or another item. */
function listEnd(lines: string[], start: number): number {
  let end = untilBlank(lines, start);
  for (;;) {
    let next = end + 1;
    while (next < lines.length && isBlank(lines[next])) next += 1;
    const line = lines[next];
    if (line === undefined || !(/^[ \t]{2,}/.test(line) || LIST_ITEM.test(line))) return end;
    end = untilBlank(lines, next);
  }
}

/** Lines that end a paragraph (a list item only when it starts with `1` or is a bullet, and is not empty). */
function interruptsParagraph(line: string): boolean {
  if ([FENCE, ATX_HEADING, QUOTE, RULE, HTML_COMMENT, HTML_RAW, HTML_BLOCK_TAG].some((re) => re.test(line)))
    return true;
  const item = /^ {0,3}([-+*]|(\d{1,9})[.)])[ \t]+\S/.exec(line);
  return item !== null && (item[2] === undefined || item[2] === '1');
}

function paragraphOrTable(lines: string[], start: number): Block {
  if ((lines[start] ?? '').includes('|') && TABLE_DELIMITER.test(lines[start + 1] ?? '')) {
    return { kind: 'table', start, end: untilBlank(lines, start) };
  }
  let end = start;
  for (let next = lines[end + 1]; !isBlank(next); next = lines[end + 1]) {
    if (SETEXT_UNDERLINE.test(next ?? '')) return { kind: 'heading', start, end: end + 1 };
    if (interruptsParagraph(next ?? '')) break;
    end += 1;
  }
  return { kind: 'paragraph', start, end };
}

function blockAt(lines: string[], start: number): Block {
  const line = lines[start] ?? '';
  const block = (kind: BlockKind, end: number): Block => ({ kind, start, end });
  if (FENCE.test(line)) return block('code', fenceEnd(lines, start));
  if (INDENTED.test(line)) return block('code', indentedEnd(lines, start));
  if (GITLAB_QUOTE.test(line)) return block('quote', gitlabQuoteEnd(lines, start));
  if (QUOTE.test(line)) return block('quote', untilBlank(lines, start));
  if (ATX_HEADING.test(line)) return block('heading', start);
  if (RULE.test(line)) return block('rule', start);
  if (LIST_ITEM.test(line)) return block('list', listEnd(lines, start));
  if ([HTML_COMMENT, HTML_RAW, HTML_BLOCK_TAG, HTML_LONE_TAG].some((re) => re.test(line))) {
    return block('html', htmlEnd(lines, start));
  }
  return paragraphOrTable(lines, start);
}

/**
 * Splits Markdown into its top-level blocks, the way CommonMark (GitLab's renderer) does it in
 * the cases that matter for quick actions and mentions: code, HTML, quotes, lists, headings,
 * tables and paragraphs.
 */
export function scanBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let at = 0;
  while (at < lines.length) {
    if (isBlank(lines[at])) {
      at += 1;
      continue;
    }
    const block = blockAt(lines, at);
    blocks.push(block);
    at = Math.max(block.end, at) + 1;
  }
  return blocks;
}
