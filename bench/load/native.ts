/**
 * The default load generator, all in this process: the raw-socket closed-model driver (closed-model.ts)
 * and the arrival-schedule driver (open-model.ts) for open-model and staged cells, which measures from
 * the intended send time, in one worker thread of its own. `npm run bench:generators` measures its cost
 * against wrk and autocannon.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadProfile } from '../../scenarios/define.js';
import { runNativeClosedModel } from './closed-model.js';
import { runOpenModel, type OpenProfile } from './open-model.js';
import type { LoadGenerator, LoadProgress, LoadRequest, LoadResult, LoadRunOptions } from './types.js';

/** The compiled worker; absent when the harness runs from its TypeScript sources (unit tests). */
const workerFile = fileURLToPath(new URL('./open-model-worker.js', import.meta.url));

/** Nice value of the main thread once the open-model worker runs. */
const MAIN_THREAD_NICE = 10;

type WorkerMessage =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (result: LoadResult) => void;
  reject: (error: Error) => void;
  onProgress: LoadRunOptions['onProgress'];
}

/**
 * One worker thread for every open-model run of this process (see open-model-worker.ts), started on
 * first use and not keeping the process alive. Falls back to this thread when no compiled worker exists
 * (the harness running from its TypeScript sources).
 */
/** Van der Corput sequence: 0, ½, ¼, ¾, ⅛ … — well-spread phases for any number of overlapping runs. */
export function phaseOf(index: number): number {
  let phase = 0;
  let base = 0.5;
  for (let i = index; i > 0; i >>= 1, base /= 2) if (i & 1) phase += base;
  return phase;
}

export class OpenModelPool {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  async run(baseUrl: string, request: LoadRequest, profile: OpenProfile, options: LoadRunOptions): Promise<LoadResult> {
    if (!existsSync(workerFile)) {
      const { outcomes: _outcomes, ...result } = await runOpenModel(baseUrl, request, profile, options);
      return result;
    }
    const worker = this.start();
    const id = this.nextId++;
    const onAbort = () => worker.postMessage({ type: 'abort', id });
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<LoadResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onProgress: options.onProgress });
        // Runs that overlap (a duet) get staggered phases: 0, ½, ¼, ¾ … of an inter-arrival time.
        worker.postMessage({ type: 'run', id, baseUrl, request, profile, phase: phaseOf(this.pending.size - 1) });
      });
    } finally {
      this.pending.delete(id);
      options.signal.removeEventListener('abort', onAbort);
    }
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(workerFile);
    worker.unref();
    // The harness's main thread (sampling, snapshots, progress) shares the generator's CPU with this
    // worker: a lower priority for it (nice +10; the worker keeps its own) lets an arrival that is due
    // preempt it at once. Lowering one's own priority needs no privilege; failing it is harmless.
    try {
      os.setPriority(process.pid, Math.max(os.getPriority(process.pid), MAIN_THREAD_NICE));
    } catch {
      // the priority stays as it was
    }
    worker.on('message', (message: WorkerMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      if (message.type === 'progress') pending.onProgress?.(message.progress);
      else if (message.type === 'result') pending.resolve(message.result);
      else pending.reject(new Error(`open-model worker: ${message.message}`));
    });
    const fail = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.worker = null;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`open-model worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

export class NativeLoadGenerator implements LoadGenerator {
  readonly name = 'native';
  private readonly pool = new OpenModelPool();

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult> {
    if (profile.model === 'closed') return runNativeClosedModel(baseUrl, request, profile, options);
    return this.pool.run(baseUrl, request, profile, options);
  }
}
