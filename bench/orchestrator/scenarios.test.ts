import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { scenarioFileChanges, scenarioFileHash } from './scenarios.js';

describe('scenario files in the record (provenance for --resume)', () => {
  const dir = useTempDir('bench-scenario-hash-', 'all');

  it('a file reference gets its absolute path and the SHA-256 of its content; a built-in name gets none', async () => {
    await writeFile(path.join(dir(), 's.json'), 'abc');
    expect(await scenarioFileHash('s.json', dir())).toEqual({
      path: path.join(dir(), 's.json'),
      // sha256("abc"), as `printf abc | sha256sum` gives it
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    expect(await scenarioFileHash('greentea', dir())).toBeNull();
  });

  it('--resume notes a file that changed or is gone, and nothing for one that is the same', async () => {
    const file = path.join(dir(), 'r.json');
    await writeFile(file, '{"a":1}');
    const recorded = [(await scenarioFileHash(file, '/'))!];
    expect(await scenarioFileChanges(recorded)).toEqual([]);
    await writeFile(file, '{"a":2}');
    expect((await scenarioFileChanges(recorded))[0]).toMatch(/changed since the run started .* the resumed run keeps the recorded plan/);
    await rm(file);
    expect((await scenarioFileChanges(recorded))[0]).toMatch(/is gone/);
  });
});
