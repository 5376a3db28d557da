#!/usr/bin/env node
// `npx spira-gitlab-sync`: runs the TypeScript CLI through tsx's ESM API, so a fresh clone needs no build.
import { tsImport } from 'tsx/esm/api';

// The project targets Node 20 on purpose; the AWS SDK's notice about Node 22 would clutter every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runCli, processIo } = await tsImport('../lib/cli/main.ts', import.meta.url);
process.exitCode = await runCli(process.argv.slice(2), processIo());
