import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['bench/**/*.test.ts', 'scenarios/**/*.test.ts', 'reporters/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
          // Real containers and a real cluster on a 2-core machine: one file at a time.
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**'],
          // Faults injected into real runs on the real engine: after the other suites, one file at a
          // time, so no other test's containers or load share the machine with them.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
