/**
 * The result store: reads and writes `results/<run-id>/results.json`. Every write is atomic (write to a
 * temporary file in the same directory, fsync, rename), so an interrupted run never leaves a torn file
 * and a reader never sees a half-written one.
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { infraError, usageError } from '../errors.js';
import { findBadRecordName, RESULTS_FILE } from './layout.js';
import { formatZodIssues } from './zod-issues.js';
import { RUN_RECORD_SCHEMA_VERSION, runRecordSchema, type RepeatResult, type RunRecord } from './schema.js';

export { RESULTS_FILE };

/** Resolves a run directory or a results.json path to the results.json path. */
export async function resolveRecordPath(runDirOrFile: string): Promise<string> {
  const info = await stat(runDirOrFile).catch(() => null);
  if (info === null) {
    throw usageError(`${runDirOrFile}: no such run directory or results file`, 'pass a directory under results/ (see `ls results`) or its results.json');
  }
  return info.isDirectory() ? path.join(runDirOrFile, RESULTS_FILE) : runDirOrFile;
}

/** Parses and validates a run record's text. Throws a usage error naming the file and the field. */
export function parseRunRecord(text: string, source: string): RunRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw usageError(`${source}: not valid JSON (${(error as Error).message})`, 'the file is corrupt; re-run, or restore it from a copy');
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RUN_RECORD_SCHEMA_VERSION) {
    throw usageError(
      `${source}: schemaVersion must be ${RUN_RECORD_SCHEMA_VERSION} (got ${JSON.stringify(version)})`,
      'this is not a results file of this version of bench',
    );
  }
  const parsed = runRecordSchema.safeParse(data);
  if (!parsed.success) {
    throw usageError(`${source}: invalid run record: ${formatZodIssues(parsed.error, data, { limit: 5 })}`, 'the file is corrupt or was edited by hand');
  }
  // Names in a record become file names and are looked up as scenarios: plain names only, never paths.
  const bad = findBadRecordName(parsed.data);
  if (bad !== null) {
    throw usageError(
      `${source}: invalid run record: ${bad.field} must be a kebab-case name (got ${JSON.stringify(bad.value).slice(0, 80)})`,
      'the file is corrupt or was edited by hand',
    );
  }
  return parsed.data;
}

/** Reads and validates a run record from a run directory or a results.json path. */
export async function readRunRecord(runDirOrFile: string): Promise<RunRecord> {
  const file = await resolveRecordPath(runDirOrFile);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw usageError(`${file}: cannot read (${error.code ?? error.message})`, 'check the path');
  });
  return parseRunRecord(text, file);
}

/**
 * Writes `content` to `file` atomically: temp file in the same directory, fsync, rename. On any failure
 * (a full disk, a read-only folder) the temp file is removed and an infrastructure error names the file.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw infraError(
      `${file}: cannot write (${code ?? (error as Error).message})`,
      code === 'ENOSPC' ? 'the disk is full: free space, then continue with `bench run --resume`' : 'check that the folder exists and is writable',
      error,
    );
  }
}

/**
 * A run's record on disk. Holds the record in memory and rewrites the file atomically after every
 * change; writes are serialised so concurrent callers cannot reorder them.
 */
/**
 * A folder for a new run: absent, or a folder without a record in it; refused (naming `--flag`) before
 * anything is created.
 */
export async function checkNewRunDir(flag: string, dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (info !== null && !info.isDirectory()) throw usageError(`--${flag} ${dir} is a file, not a folder`, 'choose a new folder for the run');
  if (await stat(path.join(dir, RESULTS_FILE)).catch(() => null)) {
    throw usageError(`--${flag} ${dir} already holds a run (${RESULTS_FILE})`, 'choose another --out, or continue that run with --resume');
  }
  return dir;
}

export class RunStore {
  readonly dir: string;
  private current: RunRecord;
  private writing: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  private constructor(dir: string, record: RunRecord, now: () => Date) {
    this.dir = dir;
    this.current = record;
    this.now = now;
  }

  /** Creates a new run directory; refuses to overwrite an existing record. */
  static async create(dir: string, record: RunRecord, now: () => Date = () => new Date()): Promise<RunStore> {
    const file = path.join(dir, RESULTS_FILE);
    if (await stat(file).catch(() => null)) {
      throw usageError(`${file} already exists`, 'choose another --out, or continue that run with --resume');
    }
    const store = new RunStore(dir, runRecordSchema.parse(record), now);
    await store.flush();
    return store;
  }

  /** Opens an existing run to resume it. */
  static async open(dir: string, now: () => Date = () => new Date()): Promise<RunStore> {
    const record = await readRunRecord(dir);
    return new RunStore(dir, record, now);
  }

  get record(): RunRecord {
    return this.current;
  }

  get file(): string {
    return path.join(this.dir, RESULTS_FILE);
  }

  /**
   * (cell, repeat) pairs already measured. Skipped and failed ones are retried on `--resume`: a failed
   * repeat is an infrastructure failure that measured nothing (a missing toolchain, an engine error), so
   * running it again loses no data.
   */
  doneKeys(): Set<string> {
    return new Set(
      this.current.repeats
        .filter((r) => r.outcome.state !== 'skipped' && r.outcome.state !== 'failed')
        .map((r) => repeatKey(r.cellId, r.repeat)),
    );
  }

  /** Appends a repeat (replacing an earlier attempt of the same cell and repeat) and writes the file. */
  async appendRepeat(result: RepeatResult): Promise<void> {
    const repeats = this.current.repeats.filter((r) => !(r.cellId === result.cellId && r.repeat === result.repeat));
    repeats.push(result);
    await this.update({ repeats });
  }

  async update(patch: Partial<RunRecord>): Promise<void> {
    this.current = { ...this.current, ...patch, updatedAt: this.now().toISOString() };
    await this.flush();
  }

  private flush(): Promise<void> {
    const text = `${JSON.stringify(this.current, null, 2)}\n`;
    const file = this.file;
    // A failed earlier write must not poison later ones: each write carries the whole record.
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(file, text));
    return this.writing;
  }
}

export function repeatKey(cellId: string, repeat: number): string {
  return `${cellId}#${repeat}`;
}
