/**
 * Progress of a long run on the console: a line redrawn in place on a terminal, plain lines elsewhere
 * (CI logs). Formatting is pure; the printer holds only the last state.
 */
import type { RunEvent } from './run-plan.js';
import { describeOutcome } from '../results/index.js';
import { formatDuration } from './format-duration.js';

export { formatDuration };

function outcomeText(event: Extract<RunEvent, { type: 'repeat-end' }>): string {
  const { result } = event;
  const m = result.metrics;
  const bits: string[] = [];
  if (m.throughputRps !== undefined) bits.push(`${m.throughputRps.toFixed(0)} req/s`);
  if (m.latencyP99Ms !== undefined) bits.push(`p99 ${m.latencyP99Ms.toFixed(2)} ms`);
  if (m.gomaxprocs !== undefined) bits.push(`GOMAXPROCS ${m.gomaxprocs}`);
  if (m.throttledPeriodRatio !== undefined) bits.push(`throttled ${(m.throttledPeriodRatio * 100).toFixed(0)}%`);
  if (m.gcCpuShare !== undefined) bits.push(`GC ${(m.gcCpuShare * 100).toFixed(1)}%`);
  if (m.processReadyMs !== undefined) bits.push(`process ready in ${m.processReadyMs.toFixed(1)} ms`);
  if (m.startupMs !== undefined) bits.push(`container ready in ${m.startupMs.toFixed(0)} ms`);
  if (m.imageBytes !== undefined) bits.push(`image ${(m.imageBytes / 1e6).toFixed(1)} MB`);
  if (m.requestsExposed !== undefined) bits.push(`${m.failedRequests ?? 0} of ${m.requestsExposed} requests exposed to SIGTERM failed`);
  else if (m.inFlightAtStop !== undefined) bits.push(`${m.failedRequests ?? 0} of the requests in flight at SIGTERM failed`);
  if (m.oomKills) bits.push('OOM-killed');
  const state = result.outcome.state;
  const detail = state === 'completed' ? bits.join(', ') : describeOutcome(result.outcome);
  return `${state === 'completed' ? 'ok' : state.toUpperCase()} ${detail}`;
}

/** Creates a printer of run events; `write` is stdout, `isTTY` decides redraw vs plain lines. */
export function createProgressPrinter(write: (text: string) => void, isTTY: boolean): (event: RunEvent) => void {
  let prefix = '';
  let lastPlainProgress = 0;
  let liveLine = false;
  const clearLive = () => {
    if (liveLine) write('\r\x1b[2K');
    liveLine = false;
  };
  return (event) => {
    switch (event.type) {
      case 'repeat-start': {
        prefix = `[${event.index + 1}/${event.total}] ${event.cell.id} #${event.item.repeat + 1}`;
        clearLive();
        write(`${prefix}  (elapsed ${formatDuration(event.elapsedMs)}, ETA ${formatDuration(event.etaMs)})\n`);
        lastPlainProgress = 0;
        break;
      }
      case 'load-progress': {
        const p = event.progress;
        const text = `  ${p.phase === 'warmup' ? 'warm-up' : 'measure'} ${formatDuration(p.elapsedMs)}/${formatDuration(p.totalMs)}  ${p.rps.toFixed(0)} req/s  p99 ${p.p99Ms.toFixed(2)} ms`;
        if (isTTY) {
          write(`\r\x1b[2K${text}`);
          liveLine = true;
        } else if (p.elapsedMs - lastPlainProgress >= 10_000) {
          lastPlainProgress = p.elapsedMs;
          write(`${text}\n`);
        }
        break;
      }
      case 'repeat-end':
        clearLive();
        write(`  → ${outcomeText(event)}\n`);
        break;
      case 'log':
        clearLive();
        write(`  ${event.line}\n`);
        break;
    }
  };
}
