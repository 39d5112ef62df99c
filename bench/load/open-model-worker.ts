/**
 * The open-model driver in one worker thread of its own: its schedules share no event loop with the rest
 * of the harness (container sampling, runtime snapshots, progress output). The cells of a duet run their
 * schedules concurrently in this one thread, so only one thread ever waits for arrivals on the
 * generator's CPU. Driven by `OpenModelPool` (native.ts): `run` messages in, `progress`/`result`/`error`
 * messages out, each tagged with the run's id; `abort` stops one run.
 */
import { parentPort } from 'node:worker_threads';
import { runOpenModel, type OpenProfile } from './open-model.js';
import type { LoadRequest } from './types.js';

type Inbound = { type: 'run'; id: number; baseUrl: string; request: LoadRequest; profile: OpenProfile; phase: number } | { type: 'abort'; id: number };

const port = parentPort;
if (port !== null) {
  const running = new Map<number, AbortController>();
  port.on('message', (message: Inbound) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    const { id } = message;
    runOpenModel(message.baseUrl, message.request, message.profile, {
      signal: controller.signal,
      phase: message.phase,
      blockingWait: true,
      onProgress: (progress) => port.postMessage({ type: 'progress', id, progress }),
    })
      .then(
        ({ outcomes: _outcomes, ...result }) => port.postMessage({ type: 'result', id, result }),
        (error: unknown) => port.postMessage({ type: 'error', id, message: (error as Error)?.message ?? String(error) }),
      )
      .finally(() => running.delete(id));
  });
}
