// osls plugin: before anything is bundled, checks the sync config (SYNC_CONFIG, default the example config)
// and copies it to the one path every artifact holds it at (PACKAGED_CONFIG; the functions' SYNC_CONFIG).
// Listed before serverless-esbuild in serverless.yml, so its hook runs first and the copy is there when
// serverless-esbuild collects `package.patterns`.
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const { configFile, PACKAGED_CONFIG } = require('./settings.cjs');

class SyncConfigPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    const check = () => this.check();
    this.hooks = {
      'before:package:createDeploymentArtifacts': check,
      'before:deploy:function:packageFunction': check,
    };
  }

  check() {
    const { serverless } = this;
    const dir = serverless.serviceDir ?? serverless.config.servicePath;
    const stage = serverless.getProvider('aws').getStage();
    const { given, path } = configFile(process.cwd());
    // A copy left by an earlier run must never be packaged in place of this one.
    rmSync(join(dir, PACKAGED_CONFIG), { force: true });
    try {
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'check-config.ts'), path, stage, join(dir, PACKAGED_CONFIG)],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
      );
    } catch (error) {
      const said = String(error.stderr ?? error.message).trim();
      throw new serverless.classes.Error(
        `SYNC_CONFIG=${given} (${path}) is not deployable; nothing was packaged.\n${said}\n` +
          'SYNC_CONFIG may be relative (to the folder serverless runs in) or absolute, inside the repository or not. See README, "Deploy to AWS".',
      );
    }
    serverless.cli.log(`Sync config ${path} checked for stage ${stage}; packaged as ${PACKAGED_CONFIG}`);
  }
}

module.exports = SyncConfigPlugin;
