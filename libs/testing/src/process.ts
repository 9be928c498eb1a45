import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The workspace root (this file is libs/testing/src/process.ts). */
export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

export interface TsProcess {
  readonly child: ChildProcess;
  /** stdout lines so far (stderr is collected apart, for failure messages). */
  readonly lines: string[];
  readonly stderr: string[];
  /** Resolves with the exit code or the signal that ended the process. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript file as a real Node process (through scripts/run-ts.cjs), for tests that must
 * kill a component with SIGKILL or run it beside the test process. `file` is relative to the
 * workspace root. The process inherits the environment plus `env`.
 */
export function spawnTsProcess(file: string, env: Record<string, string> = {}): TsProcess {
  const child = spawn(process.execPath, ['-r', './scripts/run-ts.cjs', file], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const split = (sink: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      sink.push(...parts);
    };
  };
  child.stdout?.on('data', split(lines));
  child.stderr?.on('data', split(stderr));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    stderr,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
