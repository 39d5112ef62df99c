/**
 * The default load generator, all in this process: the raw-socket closed-model driver (closed-model.ts)
 * and the arrival-schedule driver (open-model.ts) for open-model and staged cells, which measures from
 * the intended send time, in one child process of its own. `npm run bench:generators` measures its cost
 * against wrk and autocannon.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadProfile } from '../../scenarios/index.js';
import { runNativeClosedModel } from './closed-model.js';
import { runOpenModel, type OpenProfile, type RequestOutcome } from './open-model.js';
import { setOwnThreadsPriority } from './thread-priority.js';
import type { LoadGenerator, LoadProgress, LoadRequest, LoadResult, LoadRunOptions } from './types.js';

/** The compiled worker; absent when the harness runs from its TypeScript sources (unit tests). */
const workerFile = fileURLToPath(new URL('./open-model-worker.js', import.meta.url));

/** Nice value of the harness's threads once the open-model generator process runs. */
const MAIN_THREAD_NICE = 10;

type WorkerMessage =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'result'; id: number; result: LoadResult & { outcomes: RequestOutcome[]; startedAtEpochMs: number } }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (result: LoadResult & { outcomes: RequestOutcome[]; startedAtEpochMs: number }) => void;
  reject: (error: Error) => void;
  onProgress: LoadRunOptions['onProgress'];
}

/** Van der Corput sequence: 0, ½, ¼, ¾, ⅛ … — well-spread phases for any number of overlapping runs. */
export function phaseOf(index: number): number {
  let phase = 0;
  let base = 0.5;
  for (let i = index; i > 0; i >>= 1, base /= 2) if (i & 1) phase += base;
  return phase;
}

/**
 * One generator process for every open-model run of this harness (see open-model-worker.ts), started on
 * first use and not keeping the harness alive when idle. Falls back to this thread when no compiled
 * worker exists (the harness running from its TypeScript sources).
 */
export class OpenModelPool {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  async run(baseUrl: string, request: LoadRequest, profile: OpenProfile, options: LoadRunOptions): Promise<LoadResult> {
    const { outcomes: _outcomes, startedAtEpochMs: _started, ...result } = await this.runWithOutcomes(baseUrl, request, profile, options);
    return result;
  }

  /**
   * A run that also returns every request's outcome (the shutdown procedure judges each one), and whose
   * arrivals `stopIssuing` ends early without aborting what is in flight.
   */
  async runWithOutcomes(
    baseUrl: string,
    request: LoadRequest,
    profile: OpenProfile,
    options: LoadRunOptions & { stopIssuing?: AbortSignal; withOutcomes?: boolean },
  ): Promise<LoadResult & { outcomes: RequestOutcome[]; startedAtEpochMs: number }> {
    if (!existsSync(workerFile)) return runOpenModel(baseUrl, request, profile, options);
    const child = this.start();
    const id = this.nextId++;
    const onAbort = () => child.connected && child.send({ type: 'abort', id });
    const onStopIssuing = () => child.connected && child.send({ type: 'stop-issuing', id });
    options.signal.addEventListener('abort', onAbort, { once: true });
    options.stopIssuing?.addEventListener('abort', onStopIssuing, { once: true });
    try {
      return await new Promise<LoadResult & { outcomes: RequestOutcome[]; startedAtEpochMs: number }>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as Pending['resolve'], reject, onProgress: options.onProgress });
        // While a run is pending the channel keeps this process alive, as any load does.
        child.channel?.ref();
        // Runs that overlap (a duet) get staggered phases: 0, ½, ¼, ¾ … of an inter-arrival time.
        child.send({ type: 'run', id, baseUrl, request, profile, phase: phaseOf(this.pending.size - 1), withOutcomes: options.withOutcomes === true });
        if (options.stopIssuing?.aborted === true) onStopIssuing();
      });
    } finally {
      this.pending.delete(id);
      if (this.pending.size === 0) this.child?.channel?.unref();
      options.signal.removeEventListener('abort', onAbort);
      options.stopIssuing?.removeEventListener('abort', onStopIssuing);
    }
  }

  private start(): ChildProcess {
    if (this.child !== null) return this.child;
    // A process of its own rather than a worker thread: V8 flags are per process, and a worker thread
    // shares the harness's garbage collector threads. `--no-memory-reducer`: at low request rates V8's
    // memory reducer runs full collections every ~0.5 s "because the heap looks idle", 3–11 ms each,
    // and an arrival due during one is sent that late (measured here at 27 req/s: P99 dispatch lag
    // 2.1–2.7 ms, max 20–31 ms with it; 0.3–0.7 ms, max 1.5 ms without).
    const child = fork(workerFile, [], { execArgv: ['--no-memory-reducer'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.unref();
    child.channel?.unref();
    // The harness's own threads (main, V8's GC helpers, libuv's pool) share the generator's CPU with
    // this process: a lower priority for them (nice +10; the generator keeps its own) lets an arrival
    // that is due preempt them at once. Lowering one's own priority needs no privilege; failing it is
    // harmless. On Linux a priority belongs to a thread, so each thread of this process gets it.
    setOwnThreadsPriority((current) => Math.max(current, MAIN_THREAD_NICE));
    child.on('message', (message: WorkerMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      if (message.type === 'progress') pending.onProgress?.(message.progress);
      else if (message.type === 'result') pending.resolve(message.result);
      else pending.reject(new Error(`open-model generator: ${message.message}`));
    });
    const fail = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.child = null;
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`open-model generator process exited (${signal ?? `code ${code}`})`)));
    this.child = child;
    return child;
  }
}

/** The harness's one open-model generator process, shared by the native generator and the shutdown procedure. */
export const openModelProcess = new OpenModelPool();

export class NativeLoadGenerator implements LoadGenerator {
  readonly name = 'native';
  private readonly pool = openModelProcess;

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult> {
    if (profile.model === 'closed') return runNativeClosedModel(baseUrl, request, profile, options);
    return this.pool.run(baseUrl, request, profile, options);
  }
}
