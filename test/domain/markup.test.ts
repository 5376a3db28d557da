import { describe, expect, it } from 'vitest';
import { htmlToMarkdown, neutralizeForGitLab, stripOwnMarkdown } from '../../lib/domain/gitlab-text.js';
import { marker, markersIn } from '../../lib/domain/marker.js';
import { markdownToSafeHtml } from '../../lib/domain/markup.js';

describe('Markdown → Spira HTML', () => {
  it('renders GitLab Markdown', () => {
    expect(markdownToSafeHtml('**bold** and `code`\n\n- item')).toBe(
      '<p><strong>bold</strong> and <code>code</code></p>\n<ul>\n<li>item</li>\n</ul>',
    );
  });

  it.each([
    ['<script>alert(1)</script>hi', 'script'],
    ['<img src=x onerror="alert(1)">', 'onerror'],
    ['[click](javascript:alert(1))', 'javascript:'],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', 'avascript'],
    ['<iframe src="https://evil"></iframe>', 'iframe'],
    ['<svg onload=alert(1)>', 'onload'],
    ['<div style="background:url(javascript:alert(1))">x</div>', 'style'],
  ])('removes the XSS vector in %s', (input, bad) => {
    expect(markdownToSafeHtml(input).toLowerCase()).not.toContain(bad.toLowerCase());
  });

  it('finds markers it wrote', () => {
    expect(markersIn(`<p>x</p>${marker('gitlab-issue:1/2')}`)).toEqual(['gitlab-issue:1/2']);
  });
});

describe('text written into GitLab', () => {
  it('wraps quick-action lines and mentions in code spans', () => {
    const out = neutralizeForGitLab(
      'Please /close this\n/close\n  /assign @fred\nping @joe and `@kept`',
      'neutralize',
    );
    expect(out.split('\n')).toEqual([
      'Please /close this',
      '`/close`',
      '  `/assign @fred`',
      'ping `@joe` and `@kept`',
    ]);
  });

  it('leaves fenced code alone and keeps mentions when configured', () => {
    const text = '```\n/close @x\n```\nhi @joe';
    expect(neutralizeForGitLab(text, 'keep')).toBe(text);
    expect(neutralizeForGitLab(text, 'neutralize')).toBe('```\n/close @x\n```\nhi `@joe`');
  });

  it('leaves e-mail addresses alone', () => {
    expect(neutralizeForGitLab('mail fred@example.com', 'neutralize')).toBe('mail fred@example.com');
  });

  it('converts Spira HTML to Markdown without the sync’s own lines', () => {
    const html = `<p><em>Reported in GitLab by @x (X): <a href="u">u</a></em></p><p>Hello <strong>you</strong></p>${marker('gitlab-issue:1/2')}`;
    expect(htmlToMarkdown(html)).toBe('Hello **you**');
    expect(
      stripOwnMarkdown(`_Reported in Spira by Amy: [IN:4](u)_\n\nBody\n\n${marker('spira-incident:1/4')}`),
    ).toBe('Body');
  });
});
