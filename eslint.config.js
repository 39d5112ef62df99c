// Lint rules: typescript-eslint's type-aware checks (floating promises), and the import boundaries of
// docs/architecture.md: stats/, claims/, scenarios/ and reporters/ stay pure, every folder imports
// only from the layers below it (an allow-list per folder: `layers` below, lowest first), and another
// folder only through its index.ts.
import tseslint from 'typescript-eslint';

const effects = [
  { name: 'node:child_process', message: 'pure code runs no processes: inject a runner from bench/exec' },
  { name: '@kubernetes/client-node', message: 'pure code talks to no cluster' },
  { name: 'dockerode', message: 'pure code talks to no Docker engine' },
  { name: 'node:fs', message: 'pure code does no file I/O: the CLI commands read and write' },
  { name: 'node:fs/promises', message: 'pure code does no file I/O: the CLI commands read and write' },
  { name: 'node:http', message: 'pure code does no network I/O' },
];
const effectPatterns = [
  {
    group: ['**/targets/**', '**/load/autocannon*', '**/load/open-model*', '**/load/k6.js', '**/exec/**', '**/cluster/**'],
    message: 'pure code never imports targets, load generators or process runners',
  },
];

/**
 * The layers, lowest first: a folder may import from its own layer and the ones below, never from a
 * higher one (bench/errors.ts and bench/paths.ts sit below them all). Tests are exempt.
 */
const layers = [
  ['exec'],
  ['results'],
  ['stats'],
  ['scenarios'],
  ['claims', 'history'],
  ['collect', 'load'],
  ['cluster', 'gcbench', 'targets'],
  ['reporters'],
  ['orchestrator'],
  ['cli'],
];
const pure = new Set(['stats', 'claims', 'scenarios', 'reporters']);
const folderGlob = (name) => (name === 'scenarios' || name === 'reporters' ? `${name}/**/*.ts` : `bench/${name}/**/*.ts`);
const layerConfigs = layers.flatMap((layer, i) => {
  const higher = layers.slice(i + 1).flat();
  return layer.map((name) => ({
    files: [folderGlob(name)],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: pure.has(name) ? effects : [],
          patterns: [
            ...(pure.has(name) ? effectPatterns : []),
            ...(higher.length === 0
              ? []
              : [
                  {
                    group: higher.map((h) => `**/${h}/**`),
                    message: `${name}/ imports only from its layer and the ones below (docs/architecture.md): ${higher.join(', ')} are above it`,
                  },
                ]),
            // Another folder is imported through its index.ts, its public face.
            ...layers
              .flat()
              .filter((other) => other !== name && other !== 'cli')
              .map((other) => ({
                group: [`**/${other}/**`, `!**/${other}/index.js`],
                message: `import ${other}/ through its index.ts (what it offers other folders; docs/architecture.md)`,
              })),
          ],
        },
      ],
    },
  }));
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'infra/**', 'scenarios/k6/**', '**/*.mjs', 'eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['bench/stats/**/*.ts', 'bench/claims/**/*.ts', 'scenarios/**/*.ts', 'reporters/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'exit' }, { object: 'process', property: 'stdout' }],
    },
  },
  {
    files: ['bench/**/*.ts'],
    ignores: ['bench/cli/**', '**/*.test.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'exit' }, { object: 'process', property: 'stdout' }],
    },
  },
  ...layerConfigs,
);
