/** An error answer of the REST API, thrown by route handlers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`GitLab stand-in answered ${status}`);
    this.name = 'ApiError';
  }
}

/** `not_found!('Issue')` → `{"message":"404 Issue Not Found"}`. */
export function notFound(what: string): ApiError {
  return new ApiError(404, { message: `404 ${what} Not Found` });
}

/** Grape's parameter errors use `error`, e.g. `{"error":"state does not have a valid value"}`. */
export function paramError(text: string): ApiError {
  return new ApiError(400, { error: text });
}

/** `render_validation_error!`: `{"message":{"title":["can't be blank"]}}`. */
export function validationError(field: string, text: string): ApiError {
  return new ApiError(400, { message: { [field]: [text] } });
}

/** A `key[]` form/query key collects an array under `key`; a repeated plain key keeps the last value (Rack). */
export function collectParams(
  entries: Iterable<[string, string]>,
  into = new Map<string, unknown>(),
): Map<string, unknown> {
  for (const [rawKey, value] of entries) {
    if (rawKey.endsWith('[]')) {
      const key = rawKey.slice(0, -2);
      const list = into.get(key);
      into.set(key, Array.isArray(list) ? [...list, value] : [value]);
    } else {
      into.set(rawKey, value);
    }
  }
  return into;
}

/** Request parameters (query merged with body, the body winning) with Grape-like coercion. */
export class Params {
  constructor(private readonly values: Map<string, unknown>) {}

  has(key: string): boolean {
    return this.values.has(key);
  }

  raw(key: string): unknown {
    return this.values.get(key);
  }

  string(key: string): string | undefined {
    const v = this.values.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw paramError(`${key} is invalid`);
  }

  /** `null` for an explicit JSON null or an empty string. */
  nullableString(key: string): string | null | undefined {
    if (this.values.get(key) === null) return null;
    const v = this.string(key);
    return v === '' ? null : v;
  }

  int(key: string): number | undefined {
    const v = this.values.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
    throw paramError(`${key} is invalid`);
  }

  /** `null` for JSON null or an empty value. */
  nullableInt(key: string): number | null | undefined {
    const v = this.values.get(key);
    return v === null || v === '' ? null : this.int(key);
  }

  bool(key: string): boolean | undefined {
    const v = this.values.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|1|yes|t|y)$/i.test(v)) return true;
    if (typeof v === 'string' && /^(false|0|no|f|n)$/i.test(v)) return false;
    throw paramError(`${key} is invalid`);
  }

  /** An array, or a comma-separated string (`CommaSeparatedToArray`); trimmed, blanks dropped, de-duplicated. */
  list(key: string): string[] | undefined {
    const v = this.values.get(key);
    if (v === undefined) return undefined;
    const items = (Array.isArray(v) ? v : [v]).flatMap((item) =>
      item === null || item === undefined ? [] : String(item).split(','),
    );
    return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))];
  }

  intList(key: string): number[] | undefined {
    const items = this.list(key);
    if (!items) return undefined;
    return items.map((s) => {
      if (!/^-?\d+$/.test(s)) throw paramError(`${key} is invalid`);
      return Number(s);
    });
  }

  /** One of `allowed`, else Grape's "does not have a valid value". */
  oneOf<const T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(key);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) throw paramError(`${key} does not have a valid value`);
    return v as T;
  }

  /** An ISO 8601 date-time (`updated_after` and friends) as epoch ms. */
  time(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw paramError(`${key} is invalid`);
    return ms;
  }

  /** A `YYYY-MM-DD` date; `null` clears it. */
  date(key: string): string | null | undefined {
    const v = this.nullableString(key);
    if (v === undefined || v === null) return v;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw paramError(`${key} is invalid`);
    return v;
  }
}

/** One page of a list plus GitLab's offset-pagination headers. */
export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/** Like Rails' `to_query`, the parameters of a page link are sorted by name. */
function pageUrl(url: URL, page: number, perPage: number): string {
  const params = new URLSearchParams(url.searchParams);
  params.set('page', String(page));
  params.set('per_page', String(perPage));
  params.sort();
  return `${url.origin}${url.pathname}?${params.toString()}`;
}

/**
 * Offset pagination: `page`, `per_page` (default 20, max 100), `x-*` headers and a `Link` header
 * (prev, next, first, last). Over 10,000 records the totals and `rel="last"` are omitted.
 */
export function paginate<T>(all: T[], params: Params, url: URL): Page<T> {
  const perPage = Math.min(Math.max(params.int('per_page') ?? 20, 1), 100);
  const page = Math.max(params.int('page') ?? 1, 1);
  const totalPages = Math.max(Math.ceil(all.length / perPage), 1);
  const withTotals = all.length <= 10_000;
  const items = all.slice((page - 1) * perPage, page * perPage);
  const hasNext = page * perPage < all.length;
  const links: string[] = [];
  if (page > 1) links.push(`<${pageUrl(url, page - 1, perPage)}>; rel="prev"`);
  if (hasNext) links.push(`<${pageUrl(url, page + 1, perPage)}>; rel="next"`);
  links.push(`<${pageUrl(url, 1, perPage)}>; rel="first"`);
  if (withTotals) links.push(`<${pageUrl(url, totalPages, perPage)}>; rel="last"`);
  const headers: Record<string, string> = {
    link: links.join(', '),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': hasNext ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
  };
  if (withTotals) {
    headers['x-total'] = String(all.length);
    headers['x-total-pages'] = String(totalPages);
  }
  return { items, headers };
}
