/**
 * Faults injected into real runs on the real Docker engine and the real reference service. Each checks
 * the three promises: the record is valid and keeps every finished repeat, nothing labelled by the run
 * is left, and the exit code says what happened.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../bench/results/store.js';
import {
  childrenOf,
  containersOfOwner,
  dockerAvailable,
  inspectContainer,
  killContainer,
  restartDockerd,
  runningContainerOf,
  seededMoments,
  startBench,
  tempDir,
  tempFiles,
  tinyOpenScenario,
  tinyScenario,
  waitForRepeats,
  waitGone,
} from './fault-helpers.js';

const hasDocker = await dockerAvailable();

/** Counts for the suite's summary line (faults injected, survived, repeats lost). */
const tally = { injected: 0, survived: 0, repeatsLost: 0 };

/**
 * A finished run exits 0, or 4 when the host was too busy for valid measurements (other processes on a
 * shared machine make repeats `invalid`, "host busy"); both mean the run went through to its end.
 */
const finished = [0, 4];
/** Outcomes of a repeat that ran its load to the end (valid or not). */
const measured = ['completed', 'invalid'];

function runIdOf(stdout: string): string | null {
  return /^Run (\S+) →/m.exec(stdout)?.[1] ?? null;
}

describe.skipIf(!hasDocker)('faults in real runs (Docker)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir();
    // Build (or find) the service image once, so the seeded moments below fall into the run, not the build.
    const warm = startBench(['run', '--scenario', await tinyScenario(dir, 1, 500), '--out', path.join(dir, 'warm')]);
    const { code } = await warm.exit;
    expect(finished, warm.stdout() + warm.stderr()).toContain(code);
  });
  afterAll(() => {
    process.stdout.write(`faults: ${tally.injected} injected, ${tally.survived} survived, ${tally.repeatsLost} repeats lost\n`);
  });

  it('SIGINT at 20 seeded moments (closed- and open-model loads), then --resume completes the run', async () => {
    const closed = await tinyScenario(dir, 2, 1000);
    const open = await tinyOpenScenario(dir, 2, 1000);
    for (const [i, moment] of seededMoments(13, 20, 300, 9000).entries()) {
      const scenario = i % 2 === 0 ? closed : open;
      const out = path.join(dir, `sigint-${i}`);
      const bench = startBench(['run', '--scenario', scenario, '--out', out, '--seed', '1']);
      await sleep(moment);
      // The open-model generator process, if it has started (it must end with the harness).
      const children = await childrenOf(bench.pid);
      bench.kill('SIGINT');
      tally.injected++;
      const { code, signal } = await bench.exit;
      const what = `SIGINT at ${moment} ms (${i % 2 === 0 ? 'closed' : 'open'} model): ${bench.stdout()}\n${bench.stderr()}`;
      // Before the handlers are installed Node dies of the signal; after, bench exits 130 (or 0 if it had finished).
      expect(code === 130 || finished.includes(code ?? -1) || signal === 'SIGINT', what).toBe(true);
      expect(bench.stderr(), what).not.toContain('unexpected error');
      expect(await containersOfOwner(bench.pid), `${what}: containers left`).toHaveLength(0);
      expect(await waitGone(children, 5000), `${what}: child processes left`).toEqual([]);
      expect(await tempFiles(out), what).toEqual([]);
      const note = (what: string) => process.stdout.write(`faults: SIGINT at ${moment} ms → ${signal ?? `exit ${code}`}, ${what}\n`);
      if (!existsSync(path.join(out, 'results.json'))) {
        note('before the record existed; a new run in the folder');
        // Interrupted before the record existed: nothing to resume; a new run in the same folder works.
        const again = startBench(['run', '--scenario', scenario, '--out', out, '--seed', '1']);
        expect(finished, again.stderr()).toContain((await again.exit).code);
        tally.survived++;
        continue;
      }
      const before = await readRunRecord(out);
      expect(
        before.scenarioFiles?.map((f) => f.path),
        'the scenario file is named in the record',
      ).toEqual([scenario]);
      note(`record ${before.status} with ${before.repeats.length}/${before.plan.order.length} repeats; resumed`);
      const resumed = startBench(['run', '--resume', out]);
      const { code: resumedCode } = await resumed.exit;
      expect(finished, `${what}\nresume: ${resumed.stdout()}\n${resumed.stderr()}`).toContain(resumedCode);
      const after = await readRunRecord(out);
      expect(after.status).toBe('completed');
      expect(after.repeats.map((r) => `${r.cellId}#${r.repeat}`).sort(), 'every planned repeat once').toEqual(
        after.plan.order.map((o) => `${o.cellId}#${o.repeat}`).sort(),
      );
      const kept = before.repeats.filter((r) => after.repeats.some((a) => JSON.stringify(a) === JSON.stringify(r)));
      tally.repeatsLost += before.repeats.length - kept.length;
      expect(kept, 'repeats measured before the interrupt are kept as they were').toHaveLength(before.repeats.length);
      expect(await containersOfOwner(resumed.pid)).toHaveLength(0);
      tally.survived++;
    }
  });

  it('an OOM kill mid-load is recorded as its own outcome (died: oom), and the run goes on', async () => {
    // The gomemlimit scenario's unset cell: a 110 MiB live heap plus churn under a 192 MiB limit, no GOMEMLIMIT.
    const file = path.join(dir, 'oom.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'oom',
        description: 'a live heap near the memory limit, no GOMEMLIMIT',
        claims: ['gomemlimit-from-limit'],
        kind: 'load',
        targets: ['docker'],
        repeats: 2,
        matrix: { gomemlimit: ['unset'], memLimitMiB: [192], cpuLimit: [1], liveHeapMiB: [110], workload: ['memory'] },
        load: { model: 'open', ratePerSec: 80, connections: 64, warmupMs: 500, durationMs: 4000 },
      }),
    );
    const out = path.join(dir, 'oom');
    const bench = startBench(['run', '--scenario', file, '--out', out]);
    tally.injected++;
    const { code } = await bench.exit;
    const what = bench.stdout() + bench.stderr();
    expect([...finished, 3], what).toContain(code);
    const record = await readRunRecord(out);
    expect(record.status, what).not.toBe('running');
    expect(record.repeats, 'both repeats ran: the first OOM did not stop the run').toHaveLength(2);
    const died = record.repeats.filter((r) => r.outcome.state === 'died');
    expect(died.length, `outcomes: ${record.repeats.map((r) => JSON.stringify(r.outcome)).join(', ')}`).toBeGreaterThan(0);
    process.stdout.write(`faults: OOM → exit ${code}, outcomes ${record.repeats.map((r) => r.outcome.state).join(', ')}\n`);
    for (const r of died) {
      expect(r.outcome).toMatchObject({ state: 'died', cause: 'oom' });
      expect(r.metrics.latencyP99Ms, 'no latency figure for a service that died').toBeUndefined();
    }
    expect(await containersOfOwner(bench.pid)).toHaveLength(0);
    tally.survived++;
  });

  it('dockerd restarted mid-run: the record keeps every finished repeat, the run ends with a verdict on what it could do, nothing left', async () => {
    const out = path.join(dir, 'dockerd-restart');
    const bench = startBench(['run', '--scenario', await tinyScenario(dir, 4, 3000), '--out', out, '--seed', '5']);
    // Wait until the second repeat's container runs: the first repeat is then in the record.
    await runningContainerOf(bench.pid, 120_000);
    await waitForRepeats(out, 1, 120_000);
    await runningContainerOf(bench.pid, 120_000);
    const before = await readRunRecord(out);
    tally.injected++;
    await restartDockerd();
    const { code } = await bench.exit;
    const what = bench.stdout() + bench.stderr();
    expect([...finished, 3], what).toContain(code);
    expect(bench.stderr(), what).not.toContain('unexpected error');
    const after = await readRunRecord(out);
    process.stdout.write(
      `faults: dockerd restarted with ${before.repeats.length} repeat(s) recorded → exit ${code}, status ${after.status}, outcomes ${after.repeats.map((r) => r.outcome.state).join(', ')}\n`,
    );
    expect(after.status, what).not.toBe('running');
    const kept = before.repeats.filter((r) => after.repeats.some((a) => JSON.stringify(a) === JSON.stringify(r)));
    tally.repeatsLost += before.repeats.length - kept.length;
    expect(kept, 'repeats measured before the restart are kept as they were').toHaveLength(before.repeats.length);
    // The engine is back: whatever the run could not remove while it was down, doctor --cleanup can.
    const doctor = startBench(['doctor', '--cleanup']);
    await doctor.exit;
    expect(await containersOfOwner(bench.pid), 'nothing of the run left after doctor --cleanup').toHaveLength(0);
    // A run after the restart works; --resume finishes what the restart interrupted.
    if (after.repeats.some((r) => r.outcome.state === 'failed') || after.repeats.length < after.plan.order.length) {
      const resumed = startBench(['run', '--resume', out]);
      expect(finished, resumed.stdout() + resumed.stderr()).toContain((await resumed.exit).code);
      expect((await readRunRecord(out)).status).toBe('completed');
    }
    tally.survived++;
  });

  it("SIGKILL mid-repeat: doctor --cleanup removes that run's leftovers and nothing of a run still going", async () => {
    const killedOut = path.join(dir, 'killed');
    const aliveOut = path.join(dir, 'alive');
    const alive = startBench(['run', '--scenario', await tinyScenario(dir, 1, 40_000), '--out', aliveOut]);
    const killed = startBench(['run', '--scenario', await tinyScenario(dir, 2, 20_000), '--out', killedOut]);
    await runningContainerOf(alive.pid, 120_000);
    await runningContainerOf(killed.pid, 120_000);
    killed.kill('SIGKILL');
    tally.injected++;
    expect((await killed.exit).signal).toBe('SIGKILL');
    expect(await containersOfOwner(killed.pid), 'the killed run left its container').not.toHaveLength(0);
    const killedRun = runIdOf(killed.stdout());
    const aliveRun = runIdOf(alive.stdout());

    const dry = startBench(['doctor', '--cleanup', '--dry-run']);
    await dry.exit;
    expect(dry.stdout()).toContain(`would remove run ${killedRun}: owner pid ${killed.pid} is gone`);
    expect(dry.stdout()).toContain(`keeping run ${aliveRun}: owner pid ${alive.pid} is still running`);
    expect(await containersOfOwner(killed.pid), '--dry-run removes nothing').not.toHaveLength(0);

    const doctor = startBench(['doctor', '--cleanup']);
    await doctor.exit;
    expect(doctor.stdout(), doctor.stderr()).toContain(`removing run ${killedRun}`);
    expect(await containersOfOwner(killed.pid), "the killed run's leftovers").toHaveLength(0);
    expect(await containersOfOwner(alive.pid), 'the run still going keeps its container').not.toHaveLength(0);

    const { code } = await alive.exit;
    expect(finished, alive.stdout() + alive.stderr()).toContain(code);
    const record = await readRunRecord(aliveOut);
    expect(record.status).toBe('completed');
    expect(measured, 'the run still going measured its repeat').toContain(record.repeats[0]?.outcome.state);
    // The killed run's record is valid (written atomically) and resumable.
    expect((await readRunRecord(killedOut)).status).toBe('running');
    tally.survived++;
  });

  it('the service container killed mid-repeat is recorded as not completed, and the run goes on', async () => {
    const out = path.join(dir, 'docker-kill');
    const bench = startBench(['run', '--scenario', await tinyScenario(dir, 2, 6000), '--out', out, '--seed', '3']);
    const container = await runningContainerOf(bench.pid, 120_000);
    const { HostConfig } = await inspectContainer(container.Id);
    expect(HostConfig.ReadonlyRootfs, 'read-only root filesystem').toBe(true);
    expect(HostConfig.CapDrop, 'no capabilities').toEqual(['ALL']);
    expect(HostConfig.SecurityOpt, 'no new privileges').toContain('no-new-privileges');
    // Into the load window (readiness takes well under a second once the container runs).
    await sleep(3000);
    await killContainer(container.Id);
    tally.injected++;
    const { code } = await bench.exit;
    expect(finished, bench.stdout() + bench.stderr()).toContain(code);
    const record = await readRunRecord(out);
    expect(record.status).toBe('completed');
    expect(record.repeats).toHaveLength(2);
    const states = record.repeats.map((r) => r.outcome.state);
    expect(
      states.filter((s) => !measured.includes(s)),
      `outcomes: ${states.join(', ')}`,
    ).toHaveLength(1);
    expect(
      states.filter((s) => measured.includes(s)),
      `the other repeat ran: ${states.join(', ')}`,
    ).toHaveLength(1);
    expect(await containersOfOwner(bench.pid)).toHaveLength(0);
    tally.survived++;
  });

  it('every repeat failed: exit 3 and status failed; --resume retries the failed repeats', async () => {
    // A CPU limit no engine can grant: Docker refuses the container at once, an infrastructure failure.
    const file = path.join(dir, 'impossible.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'impossible',
        description: 'a CPU limit no engine grants',
        claims: ['gogc-100'],
        kind: 'load',
        targets: ['docker'],
        repeats: 2,
        matrix: { cpuLimit: [4096] },
        load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 500 },
      }),
    );
    const out = path.join(dir, 'all-failed');
    const bench = startBench(['run', '--scenario', file, '--out', out]);
    tally.injected++;
    expect((await bench.exit).code, bench.stdout() + bench.stderr()).toBe(3);
    expect(bench.stderr()).toContain('every repeat failed');
    let record = await readRunRecord(out);
    expect(record.status).toBe('failed');
    expect(record.repeats.map((r) => r.outcome.state)).toEqual(['failed', 'failed']);
    const resumed = startBench(['run', '--resume', out]);
    expect((await resumed.exit).code, resumed.stdout() + resumed.stderr()).toBe(3);
    expect(resumed.stdout(), 'the failed repeats were run again').toContain('[2/2]');
    record = await readRunRecord(out);
    expect(record.status).toBe('failed');
    expect(record.repeats, 'retried, not duplicated').toHaveLength(2);
    expect(await containersOfOwner(bench.pid)).toHaveLength(0);
    tally.survived++;
  });

  it('a full disk while writing the record: exit 3 naming the file, no temp file, nothing left running', async () => {
    const mount = path.join(dir, 'small-disk');
    await mkdir(mount);
    let mounted = true;
    try {
      // 8 KiB: the first record fits, its growth with measured repeats does not.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', mount], { stdio: 'pipe' });
    } catch {
      mounted = false;
    }
    if (!mounted) {
      process.stdout.write('faults: disk full skipped (mounting a tmpfs needs root)\n');
      return;
    }
    try {
      const out = path.join(mount, 'run');
      const bench = startBench(['run', '--scenario', await tinyScenario(dir, 4, 500), '--out', out]);
      tally.injected++;
      const { code } = await bench.exit;
      expect(code, bench.stdout() + bench.stderr()).toBe(3);
      expect(bench.stderr()).toContain(path.join(out, 'results.json'));
      expect(bench.stderr()).toContain('ENOSPC');
      expect(bench.stderr()).not.toContain('unexpected error');
      expect(await tempFiles(out)).toEqual([]);
      expect(await containersOfOwner(bench.pid)).toHaveLength(0);
      if ((await readdir(out).catch(() => [] as string[])).includes('results.json')) await readRunRecord(out);
      tally.survived++;
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
