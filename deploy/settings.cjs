// Values serverless.yml derives from the sync config (SYNC_CONFIG, default: the example config).
const { readFileSync } = require('node:fs');
const { basename, extname, resolve } = require('node:path');
const YAML = require('yaml');

module.exports = () => {
  const file = process.env.SYNC_CONFIG || 'sync-config.example.json';
  const text = readFileSync(resolve(file), 'utf8');
  const config = ['.yaml', '.yml'].includes(extname(file)) ? YAML.parse(text) : JSON.parse(text);
  // EventBridge's smallest rate is one minute (CONTRACT §2).
  const minutes = Math.max(1, Math.round((config.pollIntervalSeconds || 60) / 60));
  return {
    configPattern: file,
    configName: basename(file),
    pollSchedule: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
  };
};
