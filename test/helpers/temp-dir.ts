import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/**
 * A fresh temporary folder for each test (`each`) or for the file's tests together (`all`), removed
 * after them. Call it in a `describe` (or at the top of a file); the returned function gives the path.
 */
export function useTempDir(prefix: string, scope: 'each' | 'all' = 'each'): () => string {
  let dir = '';
  (scope === 'each' ? beforeEach : beforeAll)(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  (scope === 'each' ? afterEach : afterAll)(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
