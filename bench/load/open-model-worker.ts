/**
 * The open-model driver in a child process of its own (forked by `OpenModelPool`, native.ts): its
 * schedules share no event loop and no garbage collector with the rest of the harness (container
 * sampling, runtime snapshots, progress output). The cells of a duet run their schedules concurrently in
 * this one thread, so only one thread ever waits for arrivals on the generator's CPU. `run` messages in,
 * `progress`/`result`/`error` messages out, each tagged with the run's id; `abort` stops one run. It ends
 * when the harness does (its channel closes); Ctrl-C is the harness's to handle (it aborts the runs).
 */
import { runOpenModel, type OpenProfile } from './open-model.js';
import { setOwnThreadsPriority } from './thread-priority.js';
import type { LoadRequest } from './types.js';

type Inbound =
  | { type: 'run'; id: number; baseUrl: string; request: LoadRequest; profile: OpenProfile; phase: number; withOutcomes: boolean }
  | { type: 'abort'; id: number }
  | { type: 'stop-issuing'; id: number };

/**
 * The generator's priority above the service's (nice −10) where the system permits it (root, or
 * CAP_SYS_NICE): on a CPU it shares with the service (scenarios with `placement: 'shared'`), or with
 * Docker's own processes, an arrival that is due then preempts them. Without the permission it stays at
 * the harness's default, and the dispatch lag recorded with every repeat says what that cost.
 */
const GENERATOR_NICE = -10;

const send = process.send?.bind(process);
if (send !== undefined) {
  setOwnThreadsPriority(() => GENERATOR_NICE);
  const port = { postMessage: (message: unknown) => void send(message) };
  process.on('SIGINT', () => undefined);
  // The harness is gone (its channel closed): nothing of this process is worth keeping.
  // eslint-disable-next-line no-restricted-properties
  process.on('disconnect', () => process.exit(0));
  const running = new Map<number, { abort: AbortController; stopIssuing: AbortController }>();
  process.on('message', (message: Inbound) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort.abort();
      return;
    }
    if (message.type === 'stop-issuing') {
      running.get(message.id)?.stopIssuing.abort();
      return;
    }
    const controllers = { abort: new AbortController(), stopIssuing: new AbortController() };
    running.set(message.id, controllers);
    const { id, withOutcomes } = message;
    runOpenModel(message.baseUrl, message.request, message.profile, {
      signal: controllers.abort.signal,
      stopIssuing: controllers.stopIssuing.signal,
      phase: message.phase,
      blockingWait: true,
      onProgress: (progress) => port.postMessage({ type: 'progress', id, progress }),
    })
      .then(
        ({ outcomes, ...result }) => port.postMessage({ type: 'result', id, result: { ...result, outcomes: withOutcomes ? outcomes : [] } }),
        (error: unknown) => port.postMessage({ type: 'error', id, message: (error as Error)?.message ?? String(error) }),
      )
      .finally(() => running.delete(id));
  });
}
