import { describe, expect, it } from 'vitest';
import { engineCall } from '../../bench/targets/docker/docker-target.js';

const never = (abortSignal: AbortSignal) =>
  new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error('request aborted'))));

describe('engine calls: a deadline, and the abort signal honoured', () => {
  it('gives up on an engine that never answers, naming the call', async () => {
    await expect(engineCall('ping', never, undefined, 50)).rejects.toThrow('the Docker engine did not answer ping within 0.05 s');
  });

  it('ends at once on abort, with the abort reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const call = engineCall('create container', never, controller.signal, 60_000);
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 20);
    await expect(call).rejects.toThrow('interrupted by SIGINT');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('aborts the request once the call is settled (no socket left open)', async () => {
    let seen: AbortSignal | undefined;
    await engineCall('version', async (abortSignal) => ((seen = abortSignal), 'v'));
    expect(seen?.aborted).toBe(true);
  });
});
