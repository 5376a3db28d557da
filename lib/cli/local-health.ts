import { type HealthReport, healthLines } from '../local/health.js';

/** The running `npm start`'s `GET /health` (200 or 503 both carry the report); an error text otherwise. */
export async function readLocalHealth(webhookUrl: string): Promise<HealthReport | { error: string }> {
  const url = new URL('/health', webhookUrl);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as HealthReport;
    if (typeof body.ok !== 'boolean' || !body.poll)
      return { error: `${url} answered ${response.status} without a health report` };
    return body;
  } catch (error) {
    return { error: `${url}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The health block of `status` (local runtime only). */
export function renderHealth(health: HealthReport | { error: string }): string {
  if ('error' in health) return `health         unreadable: ${health.error}\n`;
  return `${healthLines(health)
    .map(([k, v]) => `${k.padEnd(14)} ${v}`)
    .join('\n')}\n`;
}
