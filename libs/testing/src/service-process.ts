import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { expectEventually } from './eventually';

/** A TCP port free right now on 127.0.0.1 (bound, then released). Also a port nobody listens on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ProcessOutput {
  stdout: string;
  stderr: string;
}

type Exit = [number | null, NodeJS.Signals | null];

function capture(child: ChildProcess): ProcessOutput {
  const output: ProcessOutput = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  return output;
}

async function exitWithin(child: ChildProcess, output: ProcessOutput, timeoutMs: number, what: string): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return [child.exitCode, child.signalCode];
  const exited = once(child, 'exit') as Promise<Exit>;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs} ms:\n${output.stdout.slice(-3000)}\n${output.stderr.slice(-2000)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `node <script>` to completion (a migration, a one-shot job); fails on a non-zero exit. */
export async function runNodeScript(script: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ProcessOutput> {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const [code] = await exitWithin(child, output, timeoutMs, script);
  if (code !== 0) throw new Error(`${script} exited ${String(code)}:\n${output.stdout}\n${output.stderr}`);
  return output;
}

export interface ServiceProcess {
  readonly base: string;
  readonly child: ChildProcess;
  readonly output: ProcessOutput;
  /** stdout and stderr so far. */
  logs(): string;
  /** SIGTERM, then the exit code; fails (after SIGKILL) if the process outlives `timeoutMs`. */
  terminate(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL if still running (for afterAll). */
  kill(): void;
}

/**
 * Starts a built service (`node dist/apps/<app>/main.js`) as a process — the way it is deployed —
 * on `env.PORT` (a free port when absent), collecting its output, and waits, polling with a
 * deadline, until `/health/ready` answers 200.
 */
export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
  { readyTimeoutMs = 60_000 }: { readyTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = env['PORT'] ?? String(await freePort());
  const child = spawn(process.execPath, [main], { env: { ...env, PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const base = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    base,
    child,
    output,
    logs: () => `${output.stdout}\n${output.stderr}`,
    async terminate(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exitWithin(child, output, timeoutMs, main);
      return code;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  try {
    await expectEventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}):\n${output.stdout}\n${output.stderr}`);
        const response = await fetch(`${base}/health/ready`);
        if (response.status !== 200) throw new Error(`ready: ${response.status} ${await response.text()}`);
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    service.kill();
    throw error;
  }
  return service;
}
