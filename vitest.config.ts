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
    ],
  },
});
