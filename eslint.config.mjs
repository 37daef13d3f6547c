import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, lowest first: each folder imports only the folders listed for it (see README, Layout).
 * test/ may import anything but bench/ from test/support. workflows/ and contract/ are bundled into the workflow sandbox.
 */
const LAYERS = {
  contract: [],
  lib: ['contract'],
  providers: ['lib', 'contract'],
  db: ['providers', 'lib', 'contract'],
  services: ['db', 'providers', 'lib', 'contract'],
  api: ['services', 'db', 'providers', 'lib', 'contract'],
  activities: ['services', 'db', 'providers', 'lib', 'contract'],
  worker: ['workflows', 'activities', 'services', 'db', 'providers', 'lib', 'contract'],
  // Workflow functions: the contract, `import type` from activities (below), and @temporalio/*.
  workflows: ['contract'],
  scripts: ['worker', 'workflows', 'api', 'activities', 'services', 'db', 'providers', 'lib', 'contract'],
  bench: ['test', 'scripts', 'worker', 'workflows', 'api', 'activities', 'services', 'db', 'providers', 'lib', 'contract'],
};
const FOLDERS = [...Object.keys(LAYERS), 'test'];

/** A relative import reaching into one of these top-level folders, from any depth (`../db`, `../../db/queries/x`). */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** Bundled and replayed code: Node built-ins, I/O clients and packages beyond Temporal's break determinism or the bundle. */
const deterministic = (allowed = []) => [
  {
    group: ['node:*', 'fs', 'crypto', 'pg', 'kysely', 'zod', 'express'].filter((name) => !allowed.includes(name)),
    message: 'Workflow code (workflows/, contract/) is bundled and replayed: no Node built-ins or I/O clients.',
  },
];

const layerRule = (folder, extra = []) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...extra,
          {
            regex: into(FOLDERS.filter((other) => other !== folder && !LAYERS[folder].includes(other) && !(folder === 'workflows' && other === 'activities'))),
            message: `${folder}/ imports only ${LAYERS[folder].join(', ') || 'nothing of ours'} (README, Layout).`,
          },
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '*.config.js', 'jest.summary-reporter.js', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The admin UI runs in the browser.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', sessionStorage: 'readonly', navigator: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', HTMLDivElement: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    // Tests read loosely-typed JSON responses.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...Object.keys(LAYERS)
    .filter((folder) => !['workflows', 'contract', 'bench'].includes(folder))
    .map((folder) => layerRule(folder)),
  layerRule('bench', [{ regex: '^(\\.\\./)+test/(?!support/)', message: 'bench/ may use test/support only (the tests import bench).' }]),
  {
    // Test helpers sit below bench (which uses them) and the tests: never the other way round.
    files: ['test/support/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: into(['bench', 'unit', 'integration']), message: 'test/support is used by bench/ and the tests; it imports neither.' }] }] },
  },
  // The admin UI imports nothing of the server's: an import may not leave web/src (the generated API types live inside).
  ...['web/src/*', 'web/src/*/*', 'web/src/*/*/*'].map((files, depth) => ({
    files: [`${files}.{ts,tsx}`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./){${depth + 1}}`, message: 'web/ imports nothing of the server but web/src/api/openapi.d.ts (README, Layout).' }] }] },
  })),
  // The workspace-event schemas are zod (pure, deterministic); workflows/ themselves never import zod.
  layerRule('contract', deterministic(['zod'])),
  layerRule('workflows', [
    ...deterministic(),
    // The activities' types name what proxyActivities returns; their code runs in the worker, not the bundle.
    { regex: into(['activities']), allowTypeImports: true, message: 'workflows/ may only `import type` from activities/.' },
  ]),
);
