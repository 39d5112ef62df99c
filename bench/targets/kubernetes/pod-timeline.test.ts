import { describe, expect, it } from 'vitest';
import { applyPodEvent, countPods, summarizePodStartup, type PodLifecycle, type PodLike } from './pod-timeline.js';

const opts = { container: 'refsvc' };

function pod(
  uid: string,
  patch: { node?: string; scheduled?: boolean; running?: boolean; ready?: boolean; restarts?: number; lastReason?: string; lastId?: string },
): PodLike {
  return {
    metadata: { name: `p-${uid}`, uid },
    spec: patch.node ? { nodeName: patch.node } : {},
    status: {
      conditions: [
        { type: 'PodScheduled', status: patch.scheduled ? 'True' : 'False' },
        { type: 'Ready', status: patch.ready ? 'True' : 'False' },
      ],
      containerStatuses:
        patch.running === undefined && patch.restarts === undefined
          ? []
          : [
              {
                name: 'refsvc',
                restartCount: patch.restarts ?? 0,
                state: patch.running ? { running: { startedAt: 'x' } } : {},
                ...(patch.lastReason ? { lastState: { terminated: { exitCode: 137, reason: patch.lastReason, containerID: patch.lastId ?? 'c0' } } } : {}),
              },
            ],
    },
  };
}

describe('applyPodEvent', () => {
  it('records created → scheduled → started → Ready at the event arrival times', () => {
    const lives = new Map<string, PodLifecycle>();
    applyPodEvent(lives, 'ADDED', pod('a', {}), 100, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { node: 'n1', scheduled: true }), 112, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { node: 'n1', scheduled: true, running: true }), 450, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { node: 'n1', scheduled: true, running: true, ready: true }), 900, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { node: 'n1', scheduled: true, running: true, ready: true }), 2000, opts);
    const life = lives.get('a')!;
    expect([life.createdMs, life.scheduledMs, life.startedMs, life.readyMs], 'first time each state was seen').toEqual([100, 112, 450, 900]);
    expect(life.node).toBe('n1');
    expect(countPods(lives.values())).toEqual({ pods: 1, ready: 1 });
    applyPodEvent(lives, 'DELETED', pod('a', { node: 'n1', scheduled: true }), 3000, opts);
    expect(life.deletedMs).toBe(3000);
    expect(countPods(lives.values())).toEqual({ pods: 0, ready: 0 });
  });

  it('counts each OOM-killed container once, however often the status repeats', () => {
    const lives = new Map<string, PodLifecycle>();
    applyPodEvent(lives, 'ADDED', pod('a', { running: true }), 0, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { running: true, restarts: 1, lastReason: 'OOMKilled', lastId: 'c1' }), 10, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { running: true, ready: true, restarts: 1, lastReason: 'OOMKilled', lastId: 'c1' }), 20, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { running: true, restarts: 2, lastReason: 'OOMKilled', lastId: 'c2' }), 30, opts);
    applyPodEvent(lives, 'MODIFIED', pod('a', { running: true, restarts: 3, lastReason: 'Error', lastId: 'c3' }), 40, opts);
    const life = lives.get('a')!;
    expect(life.oomKilledContainers).toEqual(['c1', 'c2']);
    expect(life.restarts).toBe(3);
    expect(life.lastExit).toEqual({ exitCode: 137, reason: 'Error' });
  });

  it('ignores objects without uid', () => {
    expect(applyPodEvent(new Map(), 'ADDED', { metadata: {} }, 0, opts)).toBeNull();
  });
});

describe('summarizePodStartup', () => {
  it('medians over pods whose start the watch saw; pods listed at the start are left out', () => {
    const lives = new Map<string, PodLifecycle>();
    const run = (uid: string, t0: number, s: number, st: number, r: number, initial = false) => {
      applyPodEvent(lives, 'ADDED', pod(uid, {}), t0, { ...opts, initial });
      applyPodEvent(lives, 'MODIFIED', pod(uid, { node: 'n', scheduled: true }), t0 + s, opts);
      applyPodEvent(lives, 'MODIFIED', pod(uid, { node: 'n', scheduled: true, running: true }), t0 + st, opts);
      applyPodEvent(lives, 'MODIFIED', pod(uid, { node: 'n', scheduled: true, running: true, ready: true }), t0 + r, opts);
    };
    run('a', 0, 10, 300, 800);
    run('b', 1000, 20, 500, 1200);
    run('c', 5000, 30, 400, 1000);
    run('old', 0, 1, 1, 1, true);
    expect(summarizePodStartup(lives.values())).toEqual({ pods: 3, podScheduledMs: 20, podStartedMs: 400, podReadyMs: 1000 });
    expect(summarizePodStartup([]).podReadyMs).toBeNull();
  });
});
