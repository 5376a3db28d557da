import type { z } from 'zod';

/** A list element that did not fit its schema: where it was, and why. */
export interface SkippedElement {
  index: number;
  error: z.ZodError;
}

/**
 * Parses a list element by element (tolerant readers: one odd element must not hide the others). Each
 * connector reports the skipped ones its own way.
 */
export function parseEach<T extends z.ZodType>(
  schema: T,
  list: readonly unknown[],
): { items: z.output<T>[]; skipped: SkippedElement[] } {
  const items: z.output<T>[] = [];
  const skipped: SkippedElement[] = [];
  list.forEach((element, index) => {
    const result = schema.safeParse(element);
    if (result.success) items.push(result.data);
    else skipped.push({ index, error: result.error });
  });
  return { items, skipped };
}
