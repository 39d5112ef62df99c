/** Loads scenarios by name (built-in) or from a file (`.json`, `.js`, `.mjs`), validated with file and field in errors. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinScenarios, validateScenario, type Scenario } from '../../scenarios/index.js';
import { usageError } from '../errors.js';

export function isScenarioPath(ref: string): boolean {
  return ref.includes('/') || /\.(json|m?js)$/.test(ref);
}

/** A scenario file's absolute path and the SHA-256 of its content, or `null` for a built-in name. */
export async function scenarioFileHash(ref: string, cwd: string): Promise<{ path: string; sha256: string } | null> {
  if (!isScenarioPath(ref)) return null;
  const file = path.resolve(cwd, ref);
  const content = await readFile(file).catch(() => null);
  return content === null ? null : { path: file, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * What became of a run's scenario files since it started, as notes for `--resume` (which keeps the
 * recorded plan whatever the file says now).
 */
export async function scenarioFileChanges(recorded: ReadonlyArray<{ path: string; sha256: string }>): Promise<string[]> {
  const notes: string[] = [];
  for (const file of recorded) {
    const now = await scenarioFileHash(file.path, '/');
    if (now === null) notes.push(`scenario file ${file.path} is gone; the resumed run keeps the recorded plan`);
    else if (now.sha256 !== file.sha256)
      notes.push(
        `scenario file ${file.path} changed since the run started (sha256 ${file.sha256.slice(0, 12)} → ${now.sha256.slice(0, 12)}); the resumed run keeps the recorded plan`,
      );
  }
  return notes;
}

export async function loadScenario(ref: string, cwd: string): Promise<Scenario> {
  if (!isScenarioPath(ref)) {
    const input = (builtinScenarios as Record<string, unknown>)[ref];
    if (input === undefined) {
      throw usageError(`unknown scenario "${ref}"`, `choose one of ${Object.keys(builtinScenarios).join(', ')} (see \`bench list\`), or pass a file path`);
    }
    return validateScenario(input, `scenarios/${ref}.ts`);
  }
  const file = path.resolve(cwd, ref);
  let input: unknown;
  try {
    if (file.endsWith('.json')) input = JSON.parse(await readFile(file, 'utf8'));
    else input = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    throw usageError(
      `${ref}: cannot load scenario (${(error as Error).message})`,
      'a scenario file is JSON or an ES module whose default export is defineScenario({...})',
    );
  }
  if (input === undefined) throw usageError(`${ref}: the module has no default export`, 'export default defineScenario({...})');
  return validateScenario(input, ref);
}
