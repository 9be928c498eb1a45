/**
 * identity-service benchmark:
 *   npm run bench -- identity [--patients 1000000] [--seconds 25] [--connections 32] [--lookups 20000]
 *                             [--lookup-seconds 10] [--seed 20251126] [--reuse] [--drop] [--profile DIR]
 *                             [--workers N]
 *
 * 1. A dedicated database (lt_identity_bench, recreated) with the service's migrations, bulk-loaded
 *    with N synthetic patients written exactly as registration writes them (bulk-load.ts).
 * 2. The built service (dist/apps/identity-service/main.js, as deployed: relay on, info logging) is
 *    started against it; registrations are driven over HTTP with autocannon, a realistic mix:
 *    60% new people with CCCD, 30% known people arriving at another facility with their CCCD,
 *    10% without CCCD (half new, half known with the name typed without diacritics) — those go
 *    through blocking + probabilistic scoring.
 * 3. CCCD lookup latency by blind index: in-process at the repository level (PatientRepository over
 *    a TypeORM DataSource, HMAC included), then over HTTP (`GET /v1/patients?identifier=cccd|…`,
 *    authenticated, audited), sequentially and with concurrent clients.
 *
 * `--reuse` keeps an already loaded database of the same size (and its sample file) instead of
 * reloading; `--drop` drops the database at the end (it is kept by default for --reuse).
 */
import 'reflect-metadata';
import { PopulationGenerator } from '@lienthong/synthetic';
import {
  autocannon,
  type AutocannonRequest,
  benchDatabase,
  benchFlag,
  benchNumber,
  benchOption,
  type BenchService,
  closedLoop,
  createTestIssuer,
  fmt,
  latencyHistogram,
  latencySummary,
  loadAverage,
  machineSummary,
  type LatencySummary,
  runBench,
  startBenchService,
  testInfra,
  WORKSPACE_ROOT,
} from '@lienthong/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { applyMigrations } from '@lienthong/persistence';
import { loadIdentityKeys } from '../src/config/identity-keys.config';
import { IdentifierCrypto } from '../src/crypto/identifier-crypto';
import { PatientMatcher } from '../src/patients/domain/patient-matcher';
import { PatientRepository } from '../src/patients/adapters/persistence/patient.repository';
import { identityDataSourceOptions, identityPersistence } from '../src/persistence/data-source';
import { BENCH_FACILITIES, registrationBody, samplePerson, type SamplePerson } from './bench-population';
import { bulkLoad } from './bulk-load';

// ---------------------------------------------------------------------------------------- options
const num = (name: string, fallback: number) => benchNumber(name, fallback);
const PATIENTS = Math.floor(num('patients', 1_000_000));
const SECONDS = num('seconds', 25);
const CONNECTIONS = Math.floor(num('connections', 32));
const LOOKUPS = Math.floor(num('lookups', 20_000));
const LOOKUP_SECONDS = num('lookup-seconds', 10);
const LOOKUP_CONCURRENCY = Math.floor(num('lookup-concurrency', 16));
const SEED = Math.floor(num('seed', 20_251_126));
const REUSE = benchFlag('reuse');
const DROP = benchFlag('drop');
/** Writes a V8 CPU profile of the service process into this directory (where does its time go?). */
const PROFILE_DIR = benchOption('profile');
/**
 * Service processes sharing the port (Node cluster; default 1 = one process, as the numbers in
 * docs/benchmarks.md unless said otherwise). A deployment choice, measured separately.
 */
const WORKERS = Math.floor(num('workers', 1));
const DB = benchDatabase('lt_identity_bench');
const SAMPLE_SIZE = 100_000;
const SAMPLE_FILE = join(WORKSPACE_ROOT, 'tmp', `${DB.name}.sample.json`);
const MAIN = join(WORKSPACE_ROOT, 'dist/apps/identity-service/main.js');

const log = (msg: string) => process.stderr.write(`[identity-bench] ${msg}\n`);

// --------------------------------------------------------------------------------------- database
interface SampleFile {
  readonly patients: number;
  readonly seed: number;
  readonly sample: SamplePerson[];
}

async function loadedSample(url: string): Promise<SampleFile | undefined> {
  if (!existsSync(SAMPLE_FILE)) return undefined;
  const file = JSON.parse(readFileSync(SAMPLE_FILE, 'utf8')) as SampleFile;
  if (file.patients !== PATIENTS || file.seed !== SEED) return undefined;
  if (!(await DB.exists())) return undefined;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const count = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM facility_links WHERE local_id LIKE 'BN%'`)).rows[0]?.n ?? 0);
    return count === PATIENTS ? file : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------- service
function startService(url: string, issuer: ReturnType<typeof createTestIssuer>): Promise<BenchService> {
  // --workers N: a cluster primary forks N copies of main.js on the same port (round-robin accept);
  // only the first seeds the facilities; SIGTERM is passed on and the primary exits with the last worker.
  const clusterPrimary = `const cluster = require('node:cluster');
if (cluster.isPrimary) {
  cluster.setupPrimary({ exec: ${JSON.stringify(MAIN)}, execArgv: [] });
  let alive = ${WORKERS};
  for (let i = 0; i < ${WORKERS}; i += 1) cluster.fork(i === 0 ? {} : { IDENTITY_SEED_FACILITIES: 'false' });
  cluster.on('exit', () => { alive -= 1; if (alive === 0) process.exit(0); });
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM'); });
}`;
  return startBenchService({
    app: 'identity-service',
    main: MAIN,
    nodeArgs: PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    ...(WORKERS > 1 ? { entry: ['-e', clusterPrimary] } : {}),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: `identity-bench-${process.pid}`,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      IDENTITY_SEED_FACILITIES: 'true',
    },
  });
}

// ---------------------------------------------------------------------------------- registrations
type Kind = 'new-cccd' | 'returning-cccd' | 'new-no-cccd' | 'returning-no-cccd';
interface PreparedRequest {
  readonly kind: Kind;
  readonly facility: string;
  readonly body: string;
}

/** Pre-built request bodies (generating people during the run would steal CPU from the service). */
function prepareRegistrations(prefix: string, count: number, generator: PopulationGenerator, sample: readonly SamplePerson[]): PreparedRequest[] {
  const rng = generator.random;
  const out: PreparedRequest[] = [];
  const otherFacility = (than: string) => {
    for (;;) {
      const f = rng.pick(BENCH_FACILITIES);
      if (f !== than) return f;
    }
  };
  const withCccd = sample.filter((p) => p.cccd !== undefined);
  for (let i = 0; i < count; i += 1) {
    const localId = `${prefix}${process.pid.toString(36)}-${i}`;
    const r = rng.next();
    if (r < 0.6) {
      let person = generator.person();
      while (person.cccd === undefined) person = generator.person();
      const facility = rng.pick(BENCH_FACILITIES);
      out.push({ kind: 'new-cccd', facility, body: JSON.stringify(registrationBody(samplePerson(person, facility), localId)) });
    } else if (r < 0.9) {
      const known = rng.pick(withCccd);
      const facility = otherFacility(known.facility);
      out.push({ kind: 'returning-cccd', facility, body: JSON.stringify(registrationBody(known, localId)) });
    } else if (r < 0.95) {
      const facility = rng.pick(BENCH_FACILITIES);
      const person = samplePerson(generator.person(), facility);
      out.push({ kind: 'new-no-cccd', facility, body: JSON.stringify(registrationBody(person, localId, { withCccd: false })) });
    } else {
      const known = rng.pick(sample);
      const facility = otherFacility(known.facility);
      out.push({ kind: 'returning-no-cccd', facility, body: JSON.stringify(registrationBody(known, localId, { withCccd: false, asciiName: true })) });
    }
  }
  return out;
}

async function runRegistrations(service: BenchService, requests: readonly PreparedRequest[], tokens: ReadonlyMap<string, string>, seconds: number, connections: number) {
  let next = 0;
  const outcomes = new Map<string, number>();
  const byKind = new Map<string, number>();
  const statuses = new Map<number, number>();
  let sentKinds: Kind[] = [];
  const result = await autocannon({
    url: service.base,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/v1/patients',
        setupRequest: (req: AutocannonRequest) => {
          const r = requests[next % requests.length];
          next += 1;
          if (!r) return req;
          sentKinds.push(r.kind);
          return {
            ...req,
            method: 'POST',
            path: '/v1/patients',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(r.facility) ?? ''}`, 'x-purpose-of-use': 'treatment' },
            body: r.body,
          };
        },
        onResponse: (status: number, body: string) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 200) {
            const outcome = (JSON.parse(body) as { outcome?: string }).outcome ?? '?';
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          }
        },
      },
    ],
  });
  for (const k of sentKinds) byKind.set(k, (byKind.get(k) ?? 0) + 1);
  sentKinds = [];
  if (next > requests.length) log(`warning: ${fmt(next)} requests for ${fmt(requests.length)} prepared bodies — later ones repeat (updates)`);
  return { result, outcomes, byKind, statuses };
}

// ---------------------------------------------------------------------------------------- lookups
async function sqlLookups(url: string, crypto: IdentifierCrypto, cccds: readonly string[], count: number): Promise<{ summary: LatencySummary; misses: number }> {
  const dataSource = new DataSource(identityDataSourceOptions({ url, poolSize: 4 }));
  await dataSource.initialize();
  const repository = new PatientRepository();
  const db = { query: async <R>(sql: string, params: readonly unknown[] = []) => (await dataSource.query(sql, [...params])) as R[] };
  const h = latencyHistogram();
  let misses = 0;
  try {
    for (let i = 0; i < 500; i += 1) await repository.patientIdsByIdentifier(db, 'cccd', crypto.blindIndex('cccd', cccds[i % cccds.length] ?? ''), false);
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const cccd = cccds[Math.floor(Math.random() * cccds.length)] ?? '';
      const t0 = performance.now();
      const ids = await repository.patientIdsByIdentifier(db, 'cccd', crypto.blindIndex('cccd', cccd), false);
      h.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      if (ids.length !== 1) misses += 1;
    }
    return { summary: latencySummary(h, count, (performance.now() - started) / 1000), misses };
  } finally {
    await dataSource.destroy();
  }
}

/** Closed-loop HTTP lookups: `concurrency` clients on keep-alive sockets, each waiting for its answer. */
async function httpLookups(
  service: BenchService,
  token: string,
  cccds: readonly string[],
  concurrency: number,
  limit: { count?: number; seconds?: number },
): Promise<{ summary: LatencySummary; misses: number; errors: number }> {
  let misses = 0;
  let errors = 0;
  const max = limit.count ?? Infinity;
  const summary = await closedLoop({
    port: service.port,
    concurrency,
    ...(limit.seconds === undefined ? {} : { seconds: limit.seconds }),
    next: (i) =>
      i >= max
        ? undefined
        : {
            path: `/v1/patients?identifier=${encodeURIComponent(`cccd|${cccds[Math.floor(Math.random() * cccds.length)] ?? ''}`)}`,
            headers: { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'treatment' },
          },
    onResponse: (status, body) => {
      if (status !== 200) errors += 1;
      else if (((JSON.parse(body) as { items: unknown[] }).items ?? []).length < 1) misses += 1;
    },
    onError: () => {
      errors += 1;
    },
  });
  return { summary, misses, errors };
}

// ------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const url = DB.url;
  const keys = loadIdentityKeys(process.env['NODE_ENV'] === 'production' ? process.env : { ...process.env, NODE_ENV: 'development' });
  const crypto = new IdentifierCrypto(keys);
  const matcher = new PatientMatcher();
  const started = performance.now();
  log(`machine: ${machineSummary()}`);

  let sample: SamplePerson[];
  let generator: PopulationGenerator;
  let load: { seconds: number; indexSeconds: number; rows: Record<string, number> } | undefined;
  const reused = REUSE ? await loadedSample(url) : undefined;
  if (reused) {
    log(`reusing ${DB.name} with ${fmt(PATIENTS)} patients (--reuse); applying pending migrations`);
    await applyMigrations(identityPersistence({ url, poolSize: 2 }));
    sample = reused.sample;
    // A different seed: new people must not collide with loaded ones (the loaded generator is gone).
    generator = new PopulationGenerator({ seed: SEED + 1 + (Date.now() % 1_000_000) });
  } else {
    await DB.recreate();
    await applyMigrations(identityPersistence({ url, poolSize: 2 }));
    log(`loading ${fmt(PATIENTS)} synthetic patients into ${DB.name} (COPY, indexes rebuilt after)…`);
    let lastReport = performance.now();
    const loaded = await bulkLoad({
      url,
      patients: PATIENTS,
      seed: SEED,
      crypto,
      matcher,
      sampleSize: SAMPLE_SIZE,
      progress: (n) => {
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          log(`  ${fmt(n)} / ${fmt(PATIENTS)} (${fmt(n / ((performance.now() - started) / 1000))}/s)`);
        }
      },
    });
    sample = loaded.sample;
    generator = loaded.generator;
    load = { seconds: loaded.loadSeconds, indexSeconds: loaded.indexSeconds, rows: loaded.rows };
    mkdirSync(join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
    writeFileSync(SAMPLE_FILE, JSON.stringify({ patients: PATIENTS, seed: SEED, sample } satisfies SampleFile));
    log(`loaded in ${fmt(loaded.loadSeconds, 1)} s + ${fmt(loaded.indexSeconds, 1)} s index build: ${Object.entries(loaded.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
  }
  const size = await DB.size();
  const cccds = sample.map((p) => p.cccd).filter((c): c is string => c !== undefined);

  // (b1) SQL/repository lookups first, on a quiet database.
  log(`CCCD lookups at the repository level (${fmt(LOOKUPS)}, sequential)…`);
  const sql = await sqlLookups(url, crypto, cccds, LOOKUPS);

  const prepareCount = Math.ceil(SECONDS * 4_000) + 5_000;
  log(`preparing ${fmt(prepareCount)} registration bodies…`);
  const requests = prepareRegistrations('W', prepareCount, generator, sample);
  const issuer = createTestIssuer();
  const tokens = new Map<string, string>();
  for (const f of BENCH_FACILITIES) tokens.set(f, await issuer.sign({ facility: f, scope: 'system/Patient.cu system/Patient.rs', sub: `his-${f}`, ttlSeconds: 3_600 }));
  const lookupToken = await issuer.sign({ facility: '01901', scope: 'system/Patient.rs lienthong/patient.crossref', sub: 'his-01901', ttlSeconds: 3_600 });

  log('starting the built service…');
  const service = await startService(url, issuer);
  let exitCode: number | null = null;
  try {
    // Warm-up: JIT, pools, prepared plans, Kafka producer — on throwaway bodies from the same mix.
    const warm = prepareRegistrations('WARM', 2_000, generator, sample);
    await runRegistrations(service, warm, tokens, 4, CONNECTIONS);

    log(`(a) registrations: ${SECONDS} s, ${CONNECTIONS} connections…`);
    const reg = await runRegistrations(service, requests, tokens, SECONDS, CONNECTIONS);

    log('(b) CCCD lookups over HTTP…');
    const httpSeq = await httpLookups(service, lookupToken, cccds, 1, { count: Math.min(LOOKUPS, 10_000) });
    const httpConc = await httpLookups(service, lookupToken, cccds, LOOKUP_CONCURRENCY, { seconds: LOOKUP_SECONDS });
    exitCode = await service.stop();

    const ok = reg.result['2xx'];
    const regPerSecond = ok / reg.result.duration;
    const out: string[] = [];
    out.push('');
    out.push(`identity-service benchmark — ${fmt(PATIENTS)} patients loaded (seed ${SEED}), database ${size}`);
    if (WORKERS > 1) out.push(`service: ${WORKERS} processes (Node cluster, --workers ${WORKERS})`);
    out.push(`machine: ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average at end ${loadAverage()}`);
    if (load) {
      out.push(`bulk load: ${fmt(load.seconds, 1)} s COPY + ${fmt(load.indexSeconds, 1)} s index/constraint rebuild and ANALYZE = ${fmt(load.seconds + load.indexSeconds, 1)} s`);
      out.push(`  rows: ${Object.entries(load.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
    } else out.push('bulk load: reused (--reuse)');
    out.push('');
    out.push('| measurement | result | target |');
    out.push('|---|---|---|');
    out.push(
      `| registrations over HTTP (${CONNECTIONS} conns, ${fmt(reg.result.duration, 1)} s) | **${fmt(regPerSecond)} /s** (${fmt(ok)} ok, ${fmt(reg.result.non2xx)} non-2xx, ${fmt(reg.result.errors)} errors); latency p50 ${fmt(reg.result.latency.p50, 1)} ms, p99 ${fmt(reg.result.latency.p99, 1)} ms | ≥ 2,000 /s |`,
    );
    const row = (label: string, s: LatencySummary, extra: string, target: string) =>
      `| ${label} | p50 ${fmt(s.p50, 2)} ms, p95 ${fmt(s.p95, 2)} ms, **p99 ${fmt(s.p99, 2)} ms**, max ${fmt(s.max, 1)} ms (${fmt(s.n)} lookups, ${fmt(s.perSecond)} /s${extra}) | ${target} |`;
    out.push(row('CCCD lookup, repository/SQL (blind index, sequential)', sql.summary, sql.misses ? `, ${sql.misses} misses` : '', 'p99 < 5 ms'));
    out.push(row('CCCD lookup, HTTP GET /v1/patients?identifier=cccd|… (1 client)', httpSeq.summary, httpSeq.errors + httpSeq.misses ? `, ${httpSeq.errors} errors, ${httpSeq.misses} misses` : '', 'p99 < 5 ms'));
    out.push(row(`CCCD lookup, HTTP (${LOOKUP_CONCURRENCY} concurrent clients)`, httpConc.summary, httpConc.errors + httpConc.misses ? `, ${httpConc.errors} errors, ${httpConc.misses} misses` : '', '—'));
    out.push('');
    out.push(`registration mix sent: ${[...reg.byKind].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    out.push(`outcomes: ${[...reg.outcomes].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}; HTTP statuses: ${[...reg.statuses].map(([k, n]) => `${k}×${fmt(n)}`).join(', ')}`);
    out.push(`service exit code after SIGTERM: ${String(exitCode)}; total bench time ${fmt((performance.now() - started) / 1000)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (reg.result.non2xx > 0 || reg.result.errors > 0) log(`service log tail:\n${service.tail().slice(-3_000)}`);
  } finally {
    if (service.child.exitCode === null) await service.stop();
    if (DROP) {
      await DB.drop();
      log(`dropped ${DB.name}`);
    }
  }
}

runBench(main);
