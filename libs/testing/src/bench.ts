import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type * as Hdr from 'hdr-histogram-js';
import { type Client } from 'pg';
import { withPostgresAdmin } from './database';
import { testInfra } from './infra';
import { freePort } from './service-process';

/*
 * The parts every benchmark of a built service shares (npm run bench -- <name>): its options, the
 * service started as deployed with its readiness awaited, closed-loop HTTP clients and autocannon,
 * latency percentiles and the machine line the results are recorded with. hdr-histogram-js and
 * autocannon are loaded on first use only (tests importing this harness never pay for them).
 */

// -------------------------------------------------------------------------------------- options

/** `--name value`, `--name=value`, or `'true'` for a bare `--name`; undefined when absent. */
export function benchOption(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (a === `--${name}`) return next !== undefined && !next.startsWith('--') ? next : 'true';
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** A numeric option (`1_000_000` allowed), `fallback` when absent; at least `min` (default 1). */
export function benchNumber(name: string, fallback: number, { min = 1, argv }: { min?: number; argv?: readonly string[] } = {}): number {
  const raw = benchOption(name, argv);
  const value = raw === undefined ? fallback : Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return value;
}

/** Whether a bare flag (`--reuse`) was given. */
export const benchFlag = (name: string, argv?: readonly string[]): boolean => benchOption(name, argv) !== undefined;

// -------------------------------------------------------------------------------------- reporting

/** `1,234.5` (en-US grouping, `digits` decimals). */
export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The load average, `0.52 0.61 0.70`. */
export const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** What results are recorded with: cores and model, memory, Node, the load average now. */
export const machineSummary = (): string =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${loadAverage()}`;

/** A histogram of latencies in microseconds (1 µs to 60 s, 3 significant digits). */
export function latencyHistogram(): Hdr.Histogram {
  // Loaded on first use: see the header.
  const hdr = require('hdr-histogram-js') as typeof Hdr;
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

export interface LatencySummary {
  readonly n: number;
  readonly perSecond: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Percentiles (ms) of a latencyHistogram holding `count` measurements taken over `seconds`. */
export function latencySummary(h: Hdr.Histogram, count: number, seconds: number): LatencySummary {
  return {
    n: count,
    perSecond: count / seconds,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
  };
}

// ------------------------------------------------------------------------------------ the database

export interface BenchDatabase {
  readonly name: string;
  /** On this run's Postgres (TEST_POSTGRES_ADMIN_URL's server). */
  readonly url: string;
  exists(): Promise<boolean>;
  /** Drops it if it exists (connections and all) and creates it empty. */
  recreate(): Promise<void>;
  drop(): Promise<void>;
  /** Its size, `1912 MB`. */
  size(): Promise<string>;
  /** What COMMENT ON DATABASE says (a bench records what it loaded there), or null. */
  comment(): Promise<string | null>;
  setComment(text: string): Promise<void>;
}

/** A benchmark's own database (kept between runs for --reuse, unlike a test database). */
export function benchDatabase(name: string): BenchDatabase {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`a bench database name is a plain identifier, not "${name}"`);
  const url = new URL(testInfra().postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    exists: () => withPostgresAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1),
    recreate: () =>
      withPostgresAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.query(`CREATE DATABASE "${name}"`);
      }),
    drop: () => withPostgresAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
    size: () => withPostgresAdmin(async (c) => (await c.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size($1)) AS s`, [name])).rows[0]?.s ?? '?'),
    comment: () =>
      withPostgresAdmin(async (c) => (await c.query<{ mark: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE datname = $1`, [name])).rows[0]?.mark ?? null),
    setComment: (text) => withPostgresAdmin(async (c) => void (await c.query(`COMMENT ON DATABASE "${name}" IS '${text.replace(/'/g, "''")}'`))),
  };
}

/** What dropKeysAndIndexes removed, by exact definition. */
export interface DroppedDdl {
  readonly keys: readonly { readonly table: string; readonly name: string; readonly def: string }[];
  readonly foreignKeys: readonly { readonly table: string; readonly name: string; readonly def: string }[];
  readonly indexes: readonly string[];
}

/**
 * Drops the primary and unique keys and the indexes of `tables`, and every foreign key of or onto
 * them (a key another table depends on cannot be dropped alone), remembering their definitions: a
 * bulk load then writes unindexed, and restoreKeysAndIndexes builds each once.
 */
export async function dropKeysAndIndexes(client: Client, tables: readonly string[]): Promise<DroppedDdl> {
  const constraints = await client.query<{ name: string; table: string; type: string; def: string }>(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS table, c.contype AS type, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
      WHERE (c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u', 'f'))
         OR (c.confrelid = ANY($1::regclass[]) AND c.contype = 'f')`,
    [tables],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))`,
    [tables],
  );
  const dropped: DroppedDdl = {
    keys: constraints.rows.filter((c) => c.type !== 'f'),
    foreignKeys: constraints.rows.filter((c) => c.type === 'f'),
    indexes: indexes.rows.map((i) => i.def),
  };
  for (const fk of dropped.foreignKeys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT "${fk.name}"`);
  for (const key of dropped.keys) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);
  for (const index of indexes.rows) await client.query(`DROP INDEX "${index.name}"`);
  return dropped;
}

/** Rebuilds what dropKeysAndIndexes removed: keys and indexes two at a time (on the first two `clients`), foreign keys last. */
export async function restoreKeysAndIndexes(clients: readonly Client[], dropped: DroppedDdl): Promise<void> {
  const queue = [...dropped.keys.map((k) => `ALTER TABLE ${k.table} ADD CONSTRAINT "${k.name}" ${k.def}`), ...dropped.indexes];
  await Promise.all(
    clients.slice(0, 2).map(async (client) => {
      await client.query(`SET maintenance_work_mem = '512MB'`);
      for (let sql = queue.shift(); sql !== undefined; sql = queue.shift()) await client.query(sql);
    }),
  );
  const [first] = clients;
  for (const fk of dropped.foreignKeys) await first?.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
}

/** Runs a benchmark's main: on failure its stack goes to stderr and the process exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

// ------------------------------------------------------------------------------------ the service

export interface BenchService {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly port: number;
  /** The last 8 kB of its output (logs are drained: the service logs every request, as deployed). */
  tail(): string;
  /** SIGTERM, SIGKILL after 30 s; the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a built service with plain node, as deployed: `node [nodeArgs] main.js` (or `entry`, e.g.
 * `['-e', clusterPrimary]`), `env` plus HOST and a free PORT, and waits until `/health/ready` answers
 * 200 (90 s at most). `app` names the build to run first when main.js is missing.
 */
export async function startBenchService(options: {
  readonly app: string;
  readonly main: string;
  readonly env: NodeJS.ProcessEnv;
  readonly nodeArgs?: readonly string[];
  readonly entry?: readonly string[];
}): Promise<BenchService> {
  if (!existsSync(options.main)) throw new Error(`${options.main} is missing: run \`npx nx build ${options.app}\` first`);
  const port = await freePort();
  const args = [...(options.nodeArgs ?? []), ...(options.entry ?? [options.main])];
  const child = spawn(process.execPath, args, { env: { ...options.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}):\n${tail}`);
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service not ready within 90 s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
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

// ------------------------------------------------------------------------------------------ load

export interface BenchRequest {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * Closed-loop clients: `concurrency` of them on keep-alive sockets to 127.0.0.1:`port`, each sending
 * `next(i)` (i counts every request of the run) and waiting for its answer, until `next` returns
 * undefined or `seconds` have passed. Every answer goes to `onResponse`, every socket error to
 * `onError`; the latency of each (answered or not) is measured.
 */
export async function closedLoop(options: {
  readonly port: number;
  readonly concurrency: number;
  readonly seconds?: number;
  next(i: number): BenchRequest | undefined;
  onResponse(status: number, body: string): void;
  onError(error: Error): void;
}): Promise<LatencySummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const h = latencyHistogram();
  let sent = 0;
  const one = (r: BenchRequest) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const record = () => h.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      const headers = r.body === undefined ? { ...r.headers } : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
      const req = http.request({ agent, method: r.method ?? (r.body === undefined ? 'GET' : 'POST'), host: '127.0.0.1', port: options.port, path: r.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          record();
          options.onResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
      });
      req.on('error', (error) => {
        record();
        options.onError(error);
        resolve();
      });
      req.end(r.body);
    });
  const started = performance.now();
  const until = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < until) {
        const request = options.next(sent);
        if (request === undefined) break;
        sent += 1;
        await one(request);
      }
    }),
  );
  agent.destroy();
  return latencySummary(h, sent, (performance.now() - started) / 1000);
}

export interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly average: number };
}

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** autocannon (which ships no types), loaded on first use. */
export function autocannon(options: Record<string, unknown>): Promise<AutocannonResult> {
  const run = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;
  return run(options);
}
