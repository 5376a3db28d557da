// esbuild plugins for serverless-esbuild.
// zod 4 re-exports every translated error-message locale from its main entry (`export * as locales`), and
// `import { z } from 'zod'` keeps that namespace alive: stub it out (the default English messages are loaded
// directly by zod and stay).
const { sep } = require('node:path');

const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}zod${sep}`) ? { path: 'zod-locales', namespace: 'stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

module.exports = [zodWithoutLocales];
