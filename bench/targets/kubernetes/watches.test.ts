import type { Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { listAndWatch, waitForWatch } from './watches.js';

type Callback = (phase: string, object: unknown) => void;

/** A stand-in for client-node's Watch: records each watch call and lets the test drive it. */
function fakeWatch() {
  const calls: Array<{ path: string; query: Record<string, unknown>; emit: Callback; end: (error?: unknown) => void; aborted: boolean }> = [];
  const watch = {
    async watch(path: string, query: Record<string, unknown>, callback: Callback, done: (error: unknown) => void) {
      const controller = new AbortController();
      const call = { path, query, emit: callback, end: (error?: unknown) => done(error ?? null), aborted: false };
      controller.signal.addEventListener('abort', () => {
        call.aborted = true;
        done(null);
      });
      calls.push(call);
      return controller;
    },
  } as unknown as Watch;
  return { watch, calls };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('condition not reached');
};

describe('listAndWatch', () => {
  it('lists, watches from the list resourceVersion, and re-lists after 410 Gone', async () => {
    const { watch, calls } = fakeWatch();
    const lists = [
      { items: ['a'], metadata: { resourceVersion: '10' } },
      { items: ['a', 'b', 'c'], metadata: { resourceVersion: '20' } },
    ];
    const seen: string[] = [];
    const running = listAndWatch<string>({
      watch,
      path: '/api/v1/namespaces/n/pods',
      query: { labelSelector: 'x=y' },
      list: async () => lists.shift() ?? { items: [], metadata: { resourceVersion: '30' } },
      onList: (items, relist) => seen.push(`list${relist ? '(re)' : ''}:${items.join(',')}`),
      onEvent: (type, object) => seen.push(`${type}:${object}`),
      signal: new AbortController().signal,
    });
    await running.ready;
    await until(() => calls.length === 1);
    expect(calls[0]?.query, 'same selector, from the list RV, with bookmarks').toEqual({
      labelSelector: 'x=y',
      allowWatchBookmarks: true,
      resourceVersion: '10',
    });
    calls[0]?.emit('ADDED', 'b');
    calls[0]?.emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
    calls[0]?.emit('ERROR', { code: 410, reason: 'Expired' });
    await until(() => calls.length === 2);
    expect(calls[0]?.aborted, 'the expired watch is closed').toBe(true);
    expect(calls[1]?.query.resourceVersion, 'watch again from the new list').toBe('20');
    calls[1]?.emit('MODIFIED', 'c');
    await running.stop();
    expect(calls[1]?.aborted, 'stop closes the open watch').toBe(true);
    expect(seen).toEqual(['list:a', 'ADDED:b', 'list(re):a,b,c', 'MODIFIED:c']);
  });

  it('a failing first list rejects ready (and reports the error)', async () => {
    const { watch } = fakeWatch();
    const errors: unknown[] = [];
    const running = listAndWatch<string>({
      watch,
      path: '/p',
      list: async () => {
        throw new Error('forbidden');
      },
      onList: () => undefined,
      onEvent: () => undefined,
      onError: (error) => errors.push(error),
      signal: new AbortController().signal,
    });
    await expect(running.ready).rejects.toThrow('forbidden');
    await running.stop();
    expect(errors).toHaveLength(1);
  });
});

describe('waitForWatch', () => {
  it('resolves with the first value the checks return, from the list or an event', async () => {
    const { watch, calls } = fakeWatch();
    const waiting = waitForWatch<number, string>({
      watch,
      path: '/p',
      list: async () => ({ items: [1], metadata: { resourceVersion: '1' } }),
      onList: (items) => (items.includes(3) ? 'in list' : undefined),
      onEvent: (_type, n) => (n >= 3 ? `event ${n}` : undefined),
      signal: new AbortController().signal,
      timeoutMs: 5000,
      describe: () => 'n ≥ 3',
    });
    await until(() => calls.length === 1);
    calls[0]?.emit('MODIFIED', 2);
    calls[0]?.emit('MODIFIED', 3);
    await expect(waiting).resolves.toBe('event 3');
    expect(calls[0]?.aborted, 'the watch is closed after').toBe(true);
  });

  it('times out with what it waited for', async () => {
    const { watch } = fakeWatch();
    await expect(
      waitForWatch<number, true>({
        watch,
        path: '/p',
        list: async () => ({ items: [] }),
        onEvent: () => undefined,
        signal: new AbortController().signal,
        timeoutMs: 50,
        describe: () => 'something',
      }),
    ).rejects.toThrow('timed out after 50 ms: something');
  });
});
