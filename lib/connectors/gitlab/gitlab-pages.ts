import { z } from 'zod';
import type { Log } from '../../ports/sync-ports.js';
import { parseResponse } from '../http-errors.js';
import { parseEach } from '../parse-each.js';

/** One page of a list and the number of the next one (GitLab's `X-Next-Page`), if there is one. */
export interface GitLabPage<T> {
  items: T[];
  nextPage?: number;
}

/** GitLab's largest page (its default is 20: gitlab-api.md §5.3). */
export const PER_PAGE = 100;

/** The URL of one page of a list: `per_page=100`, and `page` after the first. */
export function pageUrl(path: string, page: number): string {
  return `${path}${path.includes('?') ? '&' : '?'}per_page=${PER_PAGE}${page > 1 ? `&page=${page}` : ''}`;
}

/** Reads pages until GitLab names no next one (gitlab-api.md §0a.4: a list used as "all" follows them). */
export async function readAllPages<T>(read: (page: number) => Promise<GitLabPage<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page: number | undefined = 1; page !== undefined; ) {
    const result: GitLabPage<T> = await read(page);
    items.push(...result.items);
    page = result.nextPage;
  }
  return items;
}

/**
 * A page's body parsed element by element: an element that does not fit is skipped and logged, the rest is
 * used (one odd issue must not hide the others). The body itself must be a list.
 */
export function parsePage<T extends z.ZodType>(
  response: { body: unknown; headers: Record<string, string | string[] | undefined> },
  page: number,
  element: T,
  what: string,
  log: Pick<Log, 'warn'> | undefined,
): GitLabPage<z.infer<T>> {
  const list = parseResponse(z.array(z.unknown()), response.body, what);
  const { items, skipped } = parseEach(element, list);
  for (const { index, error } of skipped)
    log?.warn('GitLab list element skipped', {
      list: what,
      index: (page - 1) * PER_PAGE + index,
      problems: error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    });
  const header = response.headers['x-next-page'];
  const next = Number((typeof header === 'string' && header) || nextFromLink(response.headers.link));
  return Number.isInteger(next) && next > page ? { items, nextPage: next } : { items };
}

/** The page number of `rel="next"` in a `Link` header (GitLab sends both it and `X-Next-Page`). */
function nextFromLink(link: string | string[] | undefined): string | undefined {
  const text = Array.isArray(link) ? link.join(',') : link;
  const next = text?.split(',').find((part) => part.includes('rel="next"'));
  return next ? /[?&]page=(\d+)/.exec(next)?.[1] : undefined;
}
