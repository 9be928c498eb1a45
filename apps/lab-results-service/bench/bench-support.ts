import { autocannon, fmt, startBenchService, type AutocannonResult, type BenchService, type LatencySummary } from '@lienthong/testing';
import { SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the lab bench needs beyond the shared bench kit (@lienthong/testing's bench.ts): seeded
 * choices, a tally of answers, prepared uploads by autocannon, one issuer whose private key a service
 * signs with, the built services numbered for their CPU profiles, migrate.js runs, and a route's
 * totals from a service's own metrics.
 */

export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISSED');

export const latencyText = (s: LatencySummary) =>
  `p50 ${fmt(s.p50, 2)} ms, p90 ${fmt(s.p90, 2)} ms, **p99 ${fmt(s.p99, 2)} ms**, max ${fmt(s.max, 1)} ms (${fmt(s.n)} requests, ${fmt(s.perSecond, 1)} /s)`;

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

// ------------------------------------------------------------------------------------- answers
/** Answers seen by kind, and the first failure. */
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

// ------------------------------------------------------------------------------------- requests
export interface PreparedRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * POSTs by autocannon with `connections`, the prepared requests in turn: for `seconds` (they
 * repeat), or each exactly once (`seconds` undefined).
 */
export function cannon(
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
/** Services started so far (numbers the CPU profiles: a service started twice writes two). */
let started = 0;

/**
 * A built service (`dist/apps/<app>/main.js`) through the kit's startBenchService, in development
 * mode with this environment; `profileDir` writes a V8 CPU profile of it there.
 */
export function startBuiltService(app: string, main: string, env: Record<string, string>, profileDir?: string): Promise<BenchService> {
  started += 1;
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${app}.${process.pid}.${started}.cpuprofile`];
  return startBenchService({ app, main, nodeArgs, env: { ...process.env, NODE_ENV: 'development', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env } });
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
