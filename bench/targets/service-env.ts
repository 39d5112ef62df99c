/**
 * From a cell's settings to the service's environment and to the settings it must then report. Pure;
 * shared by the Docker and Kubernetes targets.
 */
import type { CellSettings } from '../../scenarios/index.js';
import type { RuntimeSnapshot } from '../collect/index.js';
import type { EffectiveSettings } from '../results/index.js';

export const MiB = 1024 * 1024;
/** math.MaxInt64 as the runtime reports an unset GOMEMLIMIT (a JSON number rounds it). */
export const noMemoryLimit = 9223372036854775807;

/** Node CPU count of `unaware(N)`, or null. */
export function unawareNodeCpus(maxprocs: CellSettings['maxprocs'] | string): number | null {
  if (typeof maxprocs !== 'string') return null;
  const match = /^unaware\((\d+)\)$/.exec(maxprocs);
  return match ? Number(match[1]) : null;
}

/** GOMEMLIMIT in bytes for the settings, or null when unset. */
export function goMemLimitBytes(settings: Pick<CellSettings, 'gomemlimit' | 'memLimitMiB'>): number | null {
  const { gomemlimit, memLimitMiB } = settings;
  if (gomemlimit === 'unset') return null;
  if (typeof gomemlimit === 'number') return gomemlimit;
  if (memLimitMiB === null) throw new Error(`gomemlimit ${gomemlimit} needs a memLimitMiB`);
  return Math.floor((memLimitMiB * MiB * Number.parseFloat(gomemlimit)) / 100);
}

/** Environment variables of the reference service for a cell (ADDR excluded). */
export function serviceEnv(settings: CellSettings): Record<string, string> {
  const env: Record<string, string> = {
    LIVE_HEAP_MB: String(settings.liveHeapMiB),
    GRACEFUL: String(settings.graceful),
    DRAIN_MS: String(settings.drainMs),
  };
  if (settings.gogc !== 'unset') env.GOGC = String(settings.gogc);
  const memLimit = goMemLimitBytes(settings);
  if (memLimit !== null) env.GOMEMLIMIT = String(memLimit);
  if (settings.maxprocs === 'legacy') env.GODEBUG = 'containermaxprocs=0';
  const unaware = unawareNodeCpus(settings.maxprocs);
  if (unaware !== null) env.GOMAXPROCS = String(unaware);
  if (typeof settings.maxprocs === 'number') env.GOMAXPROCS = String(settings.maxprocs);
  return env;
}

export { expectedAutoGomaxprocs } from '../stats/index.js';

/**
 * Differences between what the plan asked for and what the running service reports. `auto` GOMAXPROCS
 * is measured, not verified: it is what the gomaxprocs claim is about.
 */
export function settingsMismatches(settings: CellSettings, effective: EffectiveSettings, availableCpus: number): string[] {
  const problems: string[] = [];
  const explicit = typeof settings.maxprocs === 'number' ? settings.maxprocs : unawareNodeCpus(settings.maxprocs);
  if (explicit !== null && effective.gomaxprocs !== explicit) {
    problems.push(`GOMAXPROCS is ${effective.gomaxprocs}, expected ${explicit} (maxprocs ${settings.maxprocs})`);
  }
  if (settings.maxprocs === 'legacy' && effective.gomaxprocs !== availableCpus) {
    problems.push(`GOMAXPROCS is ${effective.gomaxprocs}, expected ${availableCpus} with containermaxprocs=0`);
  }
  const gogc = settings.gogc === 'unset' ? 100 : settings.gogc;
  if (effective.gogc !== gogc) problems.push(`GOGC is ${effective.gogc}, expected ${gogc}`);
  const memLimit = goMemLimitBytes(settings);
  if (memLimit === null ? effective.gomemlimitBytes < noMemoryLimit / 2 : effective.gomemlimitBytes !== memLimit) {
    problems.push(`GOMEMLIMIT is ${effective.gomemlimitBytes} bytes, expected ${memLimit ?? 'unset'}`);
  }
  if (effective.gcVariant !== settings.gc) problems.push(`GC variant is ${effective.gcVariant}, expected ${settings.gc}`);
  if (settings.cpuLimit !== null && (effective.cgroupCpuLimit === null || Math.abs(effective.cgroupCpuLimit - settings.cpuLimit) > 0.001)) {
    problems.push(`container CPU limit is ${effective.cgroupCpuLimit ?? 'none'}, expected ${settings.cpuLimit}`);
  }
  if (settings.memLimitMiB !== null && effective.cgroupMemLimitBytes !== settings.memLimitMiB * MiB) {
    problems.push(`container memory limit is ${effective.cgroupMemLimitBytes ?? 'none'} bytes, expected ${settings.memLimitMiB * MiB}`);
  }
  return problems;
}

/** The settings a running service reports, with the limits its container really has. */
export function effectiveFromRuntime(runtime: RuntimeSnapshot, cgroupCpuLimit: number | null, cgroupMemLimitBytes: number | null): EffectiveSettings {
  return {
    gomaxprocs: runtime.gomaxprocs,
    gogc: runtime.gogc,
    gomemlimitBytes: runtime.gomemlimitBytes,
    gcVariant: runtime.gcVariant,
    goVersion: runtime.goVersion,
    godebug: runtime.godebug,
    cgroupCpuLimit,
    cgroupMemLimitBytes,
  };
}
