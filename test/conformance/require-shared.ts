/**
 * vitest globalSetup for `npm run test:conformance`: the conformance suite checks our clients against
 * the official Spira OpenAPI file and GitLab's docs fixtures, which live in `../shared` beside the repo.
 * Without them every test would fail obscurely (or be skipped silently), so stop the run loudly instead.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const MISSING_SHARED =
  '../shared is missing: test:conformance needs /work/shared-style ../shared beside the repo with ' +
  'spec/spira-rest-v7.0-openapi.json and fixtures/gitlab-docs';

/** Paths (relative to the repo root) the conformance suite reads. */
const REQUIRED_PATHS = ['../shared/spec/spira-rest-v7.0-openapi.json', '../shared/fixtures/gitlab-docs'];

/** Throws before any conformance test runs when `../shared` (relative to the repo root = cwd) is incomplete. */
export default function setup(): void {
  const missing = REQUIRED_PATHS.map((path) => resolve(process.cwd(), path)).filter(
    (path) => !existsSync(path),
  );
  if (missing.length > 0) {
    throw new Error(`${MISSING_SHARED} (not found: ${missing.join(', ')})`);
  }
}
