// Values serverless.yml derives from the sync config (SYNC_CONFIG, default: the example config).
// The config itself is checked and copied into every artifact by ./sync-config-plugin.cjs.
const { readFileSync } = require('node:fs');
const { extname, resolve } = require('node:path');
const YAML = require('yaml');

/** Where every artifact holds the config, and so the functions' SYNC_CONFIG (relative to /var/task). */
const PACKAGED_CONFIG = '.deploy-config/sync-config.json';

/** The config file serverless packages: what SYNC_CONFIG says (relative to `dir`) or the example config. */
function configFile(dir = process.cwd()) {
  const given = process.env.SYNC_CONFIG || 'sync-config.example.json';
  return { given, path: resolve(dir, given) };
}

/** EventBridge's smallest rate is one minute (CONTRACT §2). */
function pollSchedule(path) {
  let seconds = 60;
  try {
    const text = readFileSync(path, 'utf8');
    const config = ['.yaml', '.yml'].includes(extname(path).toLowerCase())
      ? YAML.parse(text)
      : JSON.parse(text);
    if (Number.isInteger(config?.pollIntervalSeconds)) seconds = config.pollIntervalSeconds;
  } catch {
    // An unreadable or invalid config fails packaging in sync-config-plugin.cjs, with the reason.
  }
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

module.exports = () => ({ packagedConfig: PACKAGED_CONFIG, pollSchedule: pollSchedule(configFile().path) });
module.exports.configFile = configFile;
module.exports.PACKAGED_CONFIG = PACKAGED_CONFIG;
