/** Where the project's own files are, whether running from source (vitest) or from dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'infra'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the bench project root above ${start}`);
    dir = parent;
  }
}

/** The repository root (holds package.json and infra/). */
export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export const refsvcDir = path.join(repoRoot, 'infra', 'refsvc');
