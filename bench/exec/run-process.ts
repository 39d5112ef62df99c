/**
 * Running external programs (go, docker, kind, k6, set-up scripts). Failures carry the command, exit
 * code, signal and the last lines of stderr, as zx's ProcessOutput does, so an error says what ran.
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called with each chunk of stderr (progress of long builds). */
  onStderr?: (chunk: string) => void;
  /** Resolve instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
}

/** A process runner, injected where code must be unit-testable without running programs. */
export type ProcessRunner = (command: string, args: readonly string[], options?: RunProcessOptions) => Promise<ProcessResult>;

export class ProcessError extends Error {
  override readonly name = 'ProcessError';
  constructor(readonly result: ProcessResult) {
    super(describeFailure(result));
  }
}

export function describeFailure(result: ProcessResult): string {
  const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
  return `${result.command} ${how}${tail === '' ? '' : `:\n${tail}`}`;
}

export const runProcess: ProcessRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const shown = [command, ...args].join(' ');
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(Object.assign(new Error(`${command}: not found on PATH`), { code: 'ENOENT' }));
      else if (error.name === 'AbortError') reject(error);
      else reject(error);
    });
    child.on('close', (exitCode, signal) => {
      const result: ProcessResult = { command: shown, exitCode, signal, stdout, stderr };
      if (exitCode === 0 || options.allowFailure) resolve(result);
      else reject(new ProcessError(result));
    });
  });
