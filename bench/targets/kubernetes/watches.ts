/**
 * List-then-watch on one collection, as informers do: the list gives the state at the start and a
 * resourceVersion, the watch delivers every change after it. An expired resourceVersion (410 Gone) or
 * a dropped connection re-lists and watches again, so a long run misses nothing. No polling.
 */
import type { Watch } from '@kubernetes/client-node';
import type { WatchEventType } from './pod-timeline.js';

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface ListAndWatchOptions<T> {
  watch: Watch;
  /** API path of the collection, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** labelSelector / fieldSelector, the same for list and watch. */
  query?: Record<string, string>;
  list: () => Promise<ListResult<T>>;
  /** The state at the start (`relist` true when it follows a broken watch). */
  onList: (items: T[], relist: boolean) => void;
  onEvent: (type: WatchEventType, object: T) => void;
  /** Errors that made it re-list (for the run's notes). */
  onError?: (error: unknown) => void;
  signal: AbortSignal;
}

export interface RunningWatch {
  /** Resolves after the first list has been delivered and the watch is open. */
  ready: Promise<void>;
  /** Stops watching; resolves when the loop has ended. */
  stop(): Promise<void>;
}

const RECONNECT_DELAY_MS = 500;

export function listAndWatch<T>(options: ListAndWatchOptions<T>): RunningWatch {
  const stopper = new AbortController();
  const stopped = AbortSignal.any([stopper.signal, options.signal]);
  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);
  let current: AbortController | null = null;

  const watchOnce = (resourceVersion: string | undefined): Promise<{ expired: boolean }> =>
    new Promise((resolve) => {
      let expired = false;
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        stopped.removeEventListener('abort', finish);
        resolve({ expired });
      };
      stopped.addEventListener('abort', finish, { once: true });
      options.watch
        .watch(
          options.path,
          { ...options.query, allowWatchBookmarks: true, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
          (phase, object: T & { metadata?: { resourceVersion?: string }; code?: number }) => {
            if (phase === 'BOOKMARK') {
              if (object.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
              return;
            }
            if (phase === 'ERROR') {
              expired = object.code === 410;
              if (!expired) options.onError?.(new Error(`watch ${options.path}: ${JSON.stringify(object).slice(0, 300)}`));
              current?.abort();
              return;
            }
            if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') options.onEvent(phase, object);
          },
          (error: unknown) => {
            if (error && !stopped.aborted && !expired) options.onError?.(error);
            finish();
          },
        )
        .then(
          (controller) => {
            current = controller;
            if (stopped.aborted) controller.abort();
          },
          (error: unknown) => {
            if (!stopped.aborted) options.onError?.(error);
            finish();
          },
        );
    });

  const loop = (async () => {
    let first = true;
    while (!stopped.aborted) {
      let list: ListResult<T>;
      try {
        list = await options.list();
      } catch (error) {
        if (first) {
          options.onError?.(error);
          failReady(error);
          return;
        }
        options.onError?.(error);
        await delay(RECONNECT_DELAY_MS, stopped);
        continue;
      }
      if (stopped.aborted) break;
      options.onList(list.items, !first);
      if (first) markReady();
      first = false;
      const { expired } = await watchOnce(list.metadata?.resourceVersion);
      // The watch ended: expired resourceVersion (410), server-side timeout or a dropped connection.
      // Re-list (the consumer reconciles with `relist`), then watch again from the new list.
      if (!expired) await delay(RECONNECT_DELAY_MS, stopped);
    }
  })();

  return {
    ready,
    async stop() {
      stopper.abort();
      current?.abort();
      await loop;
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Watches a collection until `check` (called with every list and event) returns a value. Rejects on
 * timeout with `describe()`'s text, or when `signal` aborts.
 */
export async function waitForWatch<T, R>(
  options: Omit<ListAndWatchOptions<T>, 'onList' | 'onEvent' | 'signal'> & {
    signal: AbortSignal;
    timeoutMs: number;
    onList?: (items: T[]) => R | undefined;
    onEvent: (type: WatchEventType, object: T) => R | undefined;
    describe: () => string;
  },
): Promise<R> {
  const local = new AbortController();
  const signal = AbortSignal.any([local.signal, options.signal]);
  let result: { value: R } | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const take = (value: R | undefined): void => {
    if (value !== undefined && result === null) {
      result = { value };
      resolveDone();
    }
  };
  const running = listAndWatch<T>({
    ...options,
    signal,
    onList: (items) => take(options.onList?.(items)),
    onEvent: (type, object) => take(options.onEvent(type, object)),
  });
  const timer = setTimeout(resolveDone, options.timeoutMs);
  const onAbort = (): void => resolveDone();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([running.ready.then(() => done), done]);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    local.abort();
    await running.stop();
  }
  options.signal.throwIfAborted();
  if (result === null) throw new Error(`timed out after ${options.timeoutMs} ms: ${options.describe()}`);
  return (result as { value: R }).value;
}
