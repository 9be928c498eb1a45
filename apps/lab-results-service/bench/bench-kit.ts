import { freePort, testInfra, withPostgresAdmin } from '@lienthong/testing';
import * as hdr from 'hdr-histogram-js';
import { SignJWT } from 'jose';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * The few parts of the lab bench that every service bench repeats (options, seeded choices,
 * latency histograms, the machine line, built services as processes, one issuer for all of them).
 * Kept minimal and local until the benches share a kit.
 */

// ---------------------------------------------------------------------------------------- options
export function option(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === `--${name}`) return argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--') ? argv[i + 1] : 'true';
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

export function num(name: string, fallback: number, min = 1): number {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return value;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISSED');
export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${loadAverage()}`;

// -------------------------------------------------------------------------------- seeded choices
/** A small seeded generator (mulberry32): the same choices for the same seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** `count` distinct items (or all of them when there are fewer). */
export function pickDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  return out;
}

// ------------------------------------------------------------------------------------- latencies
export function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}
export type Histogram = ReturnType<typeof histogram>;

/** Percentiles in ms of a histogram recorded in µs. */
export function summary(h: Histogram, count: number, seconds: number) {
  return {
    n: count,
    perSecond: count / seconds,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
  };
}
export type LatencySummary = ReturnType<typeof summary>;

export const latencyText = (s: LatencySummary) =>
  `p50 ${fmt(s.p50, 2)} ms, p90 ${fmt(s.p90, 2)} ms, **p99 ${fmt(s.p99, 2)} ms**, max ${fmt(s.max, 1)} ms (${fmt(s.n)} requests, ${fmt(s.perSecond, 1)} /s)`;

/** Statuses and answers seen, and the first failure. */
export class Tally {
  readonly answers = new Map<string, number>();
  errors = 0;
  firstError: string | undefined;

  add(key: string, n = 1): void {
    this.answers.set(key, (this.answers.get(key) ?? 0) + n);
  }

  error(status: number | string, body: string): void {
    this.errors += 1;
    this.firstError ??= `${status}: ${body.slice(0, 800)}`;
  }

  toString(): string {
    const total = [...this.answers.values()].reduce((s, n) => s + n, 0);
    return [...this.answers]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${fmt(n)} (${fmt((100 * n) / Math.max(1, total), 1)} %)`)
      .join(', ');
  }
}

export interface PreparedRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/**
 * Closed-loop POSTs on keep-alive sockets: `concurrency` clients, each waiting for its answer,
 * each request sent once in order (`seconds` undefined) or random picks for `seconds`.
 * `onAnswer` sees every answer; latency is recorded in µs.
 */
export async function closedLoop(
  port: number,
  requests: readonly PreparedRequest[],
  concurrency: number,
  seconds: number | undefined,
  onAnswer: (status: number, body: string, request: PreparedRequest) => void,
  onError: (error: Error) => void,
): Promise<LatencySummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const h = histogram();
  let done = 0;
  const one = (r: PreparedRequest) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        { agent, method: 'POST', host: '127.0.0.1', port, path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            h.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
            done += 1;
            onAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), r);
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        onError(error);
        resolve();
      });
      req.end(r.body);
    });
  const started = performance.now();
  if (seconds === undefined) {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
        for (let r = requests[next++]; r !== undefined; r = requests[next++]) await one(r);
      }),
    );
  } else {
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) await one(requests[Math.floor(Math.random() * requests.length)] as PreparedRequest);
      }),
    );
  }
  agent.destroy();
  return summary(h, done, (performance.now() - started) / 1000);
}

// --------------------------------------------------------------------------------------- autocannon
export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly average: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types (and @types/autocannon is not installed).
export const autocannon = require('autocannon') as Autocannon;

/**
 * POSTs by autocannon with `connections`, the prepared requests in turn: for `seconds` (they
 * repeat), or each exactly once (`seconds` undefined).
 */
export async function cannon(
  base: string,
  requests: readonly PreparedRequest[],
  connections: number,
  seconds: number | undefined,
  onResponse: (status: number, body: string) => void,
): Promise<AutocannonResult> {
  let next = 0;
  return autocannon({
    url: base,
    // autocannon refuses more connections than requests.
    connections: seconds === undefined ? Math.min(connections, requests.length) : connections,
    ...(seconds === undefined ? { amount: requests.length } : { duration: seconds }),
    timeout: 120,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => {
          const r = requests[next % requests.length] as PreparedRequest;
          next += 1;
          return { ...req, method: 'POST', path: r.path, headers: r.headers, body: r.body };
        },
        onResponse: (status: number, body: string) => onResponse(status, body),
      },
    ],
  });
}

// ------------------------------------------------------------------------------------- databases
export function databaseUrl(name: string): string {
  const url = new URL(testInfra().postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function recreateDatabase(name: string): Promise<void> {
  await withPostgresAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withPostgresAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** What COMMENT ON DATABASE says once a load finished (--reuse trusts only a complete load of the same size and seed). */
export async function loadMark(name: string): Promise<string | null> {
  return withPostgresAdmin(async (c) => {
    const row = (await c.query<{ mark: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = $1`, [name])).rows[0];
    return row?.mark ?? null;
  });
}

export async function markLoaded(name: string, mark: string): Promise<void> {
  await withPostgresAdmin((c) => c.query(`COMMENT ON DATABASE "${name}" IS '${mark.replace(/'/g, "''")}'`));
}

export async function databaseSize(name: string): Promise<string> {
  return withPostgresAdmin(async (c) => (await c.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size($1)) AS s`, [name])).rows[0]?.s ?? '?');
}

// ---------------------------------------------------------------------------------------- issuer
/**
 * One throwaway ES256 issuer for the bench's services: they verify with its public key, the bench
 * signs the facilities' tokens with it, and lab-results-service signs its own service tokens with
 * its private key (LAB_SERVICE_TOKEN_KEY_FILE), so identity and consent accept them.
 */
export interface BenchIssuer {
  readonly publicKeyPem: string;
  readonly privateKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
  sign(claims: Record<string, unknown> & { sub: string }, ttlSeconds?: number): Promise<string>;
}

export function createBenchIssuer(dir: string): BenchIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = join(dir, `lab-bench-issuer-${process.pid}.pem`);
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const issuer = 'https://auth.lienthong.bench';
  const audience = 'lienthong';
  const key: KeyObject = privateKey;
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyFile,
    issuer,
    audience,
    sign: ({ sub, ...claims }, ttlSeconds = 3_600) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(key);
    },
  };
}

// -------------------------------------------------------------------------------------- services
export interface BuiltService {
  readonly name: string;
  readonly child: ChildProcess;
  readonly base: string;
  readonly port: number;
  tail(): string;
  stop(): Promise<number | null>;
}

/** Services started so far (numbers the CPU profiles: a service started twice writes two). */
let started = 0;

/**
 * A built service (`node dist/apps/<name>/main.js`, as deployed) with plain node on a free port,
 * waited for until `/health/ready` answers 200. Its logs are drained and only the tail is kept;
 * `profileDir` writes a V8 CPU profile of it there.
 */
export async function startBuiltService(main: string, name: string, env: Record<string, string>, profileDir?: string): Promise<BuiltService> {
  if (!existsSync(main)) throw new Error(`${main} is missing: build ${name} first (npm run bench builds it)`);
  const port = await freePort();
  started += 1;
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.${process.pid}.${started}.cpuprofile`];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-12_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${tail}`);
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within 90 s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    child,
    base,
    port,
    tail: () => tail,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a built one-shot script (migrate.js) to completion. */
export async function runBuilt(script: string, env: Record<string, string>): Promise<void> {
  if (!existsSync(script)) throw new Error(`${script} is missing: build its service first`);
  const child = spawn(process.execPath, [script], { env: { ...process.env, NODE_ENV: 'development', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-8_000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-8_000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${script} exited ${String(code)}:\n${out}`);
}

/** Count and summed seconds of one route in a service's `http_server_request_duration_seconds` (all statuses). */
export async function routeTotals(base: string, method: string, route: string): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const totals = { count: 0, seconds: 0 };
  for (const line of text.split('\n')) {
    const m = /^http_server_request_duration_seconds_(count|sum)\{([^}]*)\} ([0-9.eE+-]+)$/.exec(line);
    if (m === null || !m[2]?.includes(`method="${method}"`) || !m[2].includes(`route="${route}"`)) continue;
    if (m[1] === 'count') totals.count += Number(m[3]);
    else totals.seconds += Number(m[3]);
  }
  return totals;
}

/** What a route served between two readings: calls and mean server time (ms). */
export function routeDelta(before: { count: number; seconds: number }, after: { count: number; seconds: number }): { calls: number; meanMs: number } {
  const calls = after.count - before.count;
  return { calls, meanMs: calls === 0 ? 0 : ((after.seconds - before.seconds) * 1000) / calls };
}

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passes (then false). */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
