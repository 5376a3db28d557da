import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/errors.js';
import { resolveSecrets } from '../../lib/config/secrets.js';
import { loadSyncConfig, parseSyncConfig } from '../../lib/config/sync-config.js';
import { contractExample, statusRow } from '../helpers/config.js';

describe('sync config', () => {
  it('accepts the CONTRACT §2 example and fills defaults', () => {
    const config = parseSyncConfig(contractExample());
    expect(config.gitlab.mentions).toBe('neutralize');
    expect(config.projects[0]?.releases).toEqual([{ spiraReleaseId: 3, gitlabMilestoneId: 17 }]);
  });

  it('names the field path of every problem', () => {
    const bad = contractExample();
    statusRow(bad, 1).gitlab = 'reopened';
    bad.pollIntervalSeconds = 0;
    const error = (() => {
      try {
        parseSyncConfig(bad);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems.join('\n')).toMatch(/projects\[0\]\.incidentStatuses\[1\]\.gitlab/);
    expect(error?.problems.join('\n')).toMatch(/pollIntervalSeconds/);
  });

  it('requires exactly one primary per GitLab state', () => {
    const bad = contractExample();
    statusRow(bad, 1).primary = true;
    expect(() => parseSyncConfig(bad)).toThrow(
      /projects\[0\]\.incidentStatuses: needs exactly one primary status for GitLab state "opened", found 2/,
    );
  });

  it('rejects a status mapped twice and unknown fields', () => {
    const bad = contractExample();
    statusRow(bad, 3).spiraStatusId = 4;
    (bad as Record<string, unknown>).colour = 'blue';
    expect(() => parseSyncConfig(bad)).toThrow(
      /incidentStatuses\[3\]\.spiraStatusId: Spira status 4 is mapped twice[\s\S]*Unrecognized key/,
    );
  });

  it('loads YAML and JSON files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(contractExample()));
    writeFileSync(join(dir, 'c.yml'), 'spira: [unclosed');
    expect((await loadSyncConfig(join(dir, 'c.json'))).spira.username).toBe('syncbot');
    await expect(loadSyncConfig(join(dir, 'c.yml'))).rejects.toThrow(/not valid YAML/);
  });

  it('resolves env and SSM secrets and names the field when one is missing', async () => {
    const config = parseSyncConfig({
      ...contractExample(),
      spira: { ...contractExample().spira, apiKey: { env: 'SPIRA_KEY' } },
    });
    const ssm = { gitlab: { ...config.gitlab, token: { ssm: '/p/token' } } };
    const resolved = await resolveSecrets({ ...config, ...ssm }, { SPIRA_KEY: 'k' }, async (name) =>
      name === '/p/token' ? 't' : undefined,
    );
    expect([resolved.spira.apiKey, resolved.gitlab.token]).toEqual(['k', 't']);
    await expect(resolveSecrets(config, {}, async () => undefined)).rejects.toThrow(
      /spira\.apiKey: environment variable SPIRA_KEY/,
    );
  });
});
