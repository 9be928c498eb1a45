/**
 * consent-service benchmark — the decision point with 1 M consents stored:
 *   npm run bench -- consent [--consents 1000000] [--uncached 5000] [--lookup-seconds 10] [--concurrency 16]
 *                            [--seconds 20] [--batch 500] [--connections 8] [--seed 20251126]
 *                            [--redis-db 9] [--reuse] [--drop] [--profile DIR]
 *
 * 1. A dedicated database (lt_consent_bench, recreated) with the service's migrations, bulk-loaded
 *    inside Postgres (bench-load.ts: facilities, consents / 2.5 patients with a facility link each,
 *    consents and their versions for a demo-like population: grants, refusals, withdrawals, sensitive
 *    categories, minors with representatives, periods).
 * 2. The built service (dist/apps/consent-service/main.js, as deployed: relay on, info logging) is
 *    started against it with plain node. Its cache is a Redis database of its own (`--redis-db`) in
 *    which the `consent:*` keys are deleted first (SCAN + DEL; never a FLUSH), so nothing is cached.
 *    The caller is a service token (`service: bench`, scope `lienthong/consent.decide`).
 * 3. Measured over HTTP, on disjoint sets of patients (shuffled by seed):
 *    (a) uncached single decisions, `POST /v1/decisions`: one request per patient never asked before,
 *        sequentially (p50/p90/p99/max);
 *    (b) cached single decisions: the same patients asked again, sequentially, then by
 *        `--concurrency` closed-loop clients for `--lookup-seconds` (p50/p99, req/s);
 *    (c) batch throughput, `POST /v1/decisions/batch` with `--batch` random queries per request, by
 *        autocannon with `--connections`: over the warm set for `--seconds`, then over a cold set
 *        (every patient in it asked once, never before) → decisions/s and request latency.
 *    Each figure is reported against the issue's target (PASS / MISSED).
 * A query is (patient, facility, category, purpose): the facility is the patient's own in 60 % of
 * queries (the care relationship), otherwise any facility; categories and purposes are weighted as an
 * exchange would ask (lab first, some sensitive categories; treatment first, some emergencies).
 *
 * `--reuse` keeps an already loaded database of the same size and seed; `--drop` drops it at the end
 * (it is kept by default for --reuse). `--profile DIR` writes a V8 CPU profile of the service process.
 */
import 'reflect-metadata';
import { FacilityChangedV1, MAX_BATCH_DECISIONS, PatientLinkedV1, PatientMergedV1, PatientRegisteredV1, PatientUnmergedV1 } from '@lienthong/contracts';
import { applyMigrations } from '@lienthong/persistence';
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
  loadAverage,
  machineSummary,
  type LatencySummary,
  runBench,
  startBenchService,
  testInfra,
  WORKSPACE_ROOT,
} from '@lienthong/testing';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { createClient } from 'redis';
import { consentConfig } from '../src/config/consent.config';
import { consentPersistenceOptions } from '../src/persistence/data-source';
import { loadConsentPopulation } from './bench-load';

// ---------------------------------------------------------------------------------------- options
const num = (name: string, fallback: number, min = 1) => benchNumber(name, fallback, { min });
const CONSENTS = Math.floor(num('consents', 1_000_000, 100));
/** 2.5 consents per patient on average (every patient two, half of them three). */
const PATIENTS = Math.max(1, Math.round(CONSENTS / 2.5));
const UNCACHED = Math.floor(num('uncached', 5_000));
const LOOKUP_SECONDS = num('lookup-seconds', 10);
const CONCURRENCY = Math.floor(num('concurrency', 16));
const SECONDS = num('seconds', 20);
const BATCH = Math.floor(num('batch', 500));
const CONNECTIONS = Math.floor(num('connections', 8));
const SEED = Math.floor(num('seed', 20_251_126));
const REDIS_DB = Math.floor(num('redis-db', 9, 0));
const REUSE = benchFlag('reuse');
const DROP = benchFlag('drop');
/** Writes a V8 CPU profile of the service process into this directory (where does its time go?). */
const PROFILE_DIR = benchOption('profile');
if (BATCH > MAX_BATCH_DECISIONS) throw new Error(`--batch must be at most ${MAX_BATCH_DECISIONS} (the API's limit)`);

const DB = benchDatabase('lt_consent_bench');
const MAIN = join(WORKSPACE_ROOT, 'dist/apps/consent-service/main.js');
/** What COMMENT ON DATABASE says once a load has finished: --reuse only trusts a complete load of this size and seed. */
const LOAD_MARK = `consent-bench consents=${CONSENTS} patients=${PATIENTS} seed=${SEED}`;
const TARGETS = { cachedP99Ms: 2, uncachedP99Ms: 10, batchPerSecond: 20_000 };
/** Patients asked during warm-up only (JIT, pools, prepared plans), never measured. */
const WARM_PATIENTS = Math.min(1_000, Math.floor(PATIENTS / 10));

const log = (msg: string) => process.stderr.write(`[consent-bench] ${msg}\n`);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISSED');

// --------------------------------------------------------------------------------------- database
function redisUrl(): string {
  const url = new URL(testInfra().redisUrl);
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
}

const migrate = (url: string) =>
  applyMigrations(consentPersistenceOptions(consentConfig.load({ NODE_ENV: 'development', DATABASE_URL: url, AUTH_PUBLIC_KEY: 'unused-by-migrations' })));

async function loadedBefore(): Promise<boolean> {
  return (await DB.comment()) === LOAD_MARK;
}

interface PatientRow {
  readonly id: string;
  /** The facility the patient is registered at (the care relationship). */
  readonly facility: string;
}

/** Every loaded patient with its facility, in an order shuffled by the seed (the same on --reuse). */
async function patientsAndFacilities(url: string): Promise<{ patients: PatientRow[]; facilities: string[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const patients = (
      await client.query<PatientRow>(
        `SELECT enterprise_patient_id AS id, facility_code AS facility FROM patient_links WHERE local_id LIKE 'BN%'
          ORDER BY md5(enterprise_patient_id::text || $1)`,
        [String(SEED)],
      )
    ).rows;
    const facilities = (await client.query<{ code: string }>('SELECT code FROM facilities ORDER BY code')).rows.map((r) => r.code);
    return { patients, facilities };
  } finally {
    await client.end();
  }
}

/** Deletes this bench's cache keys in its own Redis database (SCAN + DEL, never FLUSHDB/FLUSHALL). */
async function clearCache(url: string): Promise<{ deleted: number }> {
  const redis = createClient({ url });
  await redis.connect();
  let deleted = 0;
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'consent:*', COUNT: 1_000 })) {
      if (keys.length > 0) deleted += await redis.del(keys);
    }
    return { deleted };
  } finally {
    redis.destroy();
  }
}

async function cachedStates(url: string): Promise<number> {
  const redis = createClient({ url });
  await redis.connect();
  let n = 0;
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'consent:state:*', COUNT: 1_000 })) n += keys.length;
    return n;
  } finally {
    redis.destroy();
  }
}

/**
 * The service reads identity's topics from their start when its group is new (a real replica must
 * learn every patient). The bench's population is loaded directly, so its group starts at the topics'
 * ends instead: whatever identity events other runs left on this machine's Kafka must not be
 * consumed into the bench database during the measurements.
 */
async function startGroupAtTopicEnds(groupId: string): Promise<number> {
  const topics = [...new Set([PatientRegisteredV1, PatientLinkedV1, PatientMergedV1, PatientUnmergedV1, FacilityChangedV1].map((d) => d.topic.name))];
  const admin = new Kafka({ clientId: `consent-bench-admin-${process.pid}`, brokers: testInfra().kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let skipped = 0;
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      skipped += offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
    return skipped;
  } finally {
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------------- queries
/** A small seeded generator (mulberry32): the same queries for the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
function weighted<T extends string>(table: readonly (readonly [T, number])[]): (r: number) => T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  return (r) => {
    let x = r * total;
    for (const [value, w] of table) {
      x -= w;
      if (x < 0) return value;
    }
    return table[table.length - 1]?.[0] as T;
  };
}
const CATEGORY = weighted([
  ['lab', 35],
  ['imaging', 18],
  ['encounters', 18],
  ['prescriptions', 10],
  ['documents', 7],
  ['hiv', 4],
  ['mental-health', 4],
  ['sexual-reproductive-health', 2],
  ['genetics', 2],
] as const);
const PURPOSE = weighted([
  ['treatment', 60],
  ['referral', 25],
  ['public-health', 7],
  ['research-deidentified', 5],
  ['emergency', 3],
] as const);

interface Query {
  readonly enterprisePatientId: string;
  readonly facilityCode: string;
  readonly category: string;
  readonly purpose: string;
}

function queryFor(patient: PatientRow, facilities: readonly string[], random: () => number): Query {
  const own = random() < 0.6;
  return {
    enterprisePatientId: patient.id,
    facilityCode: own ? patient.facility : (facilities[Math.floor(random() * facilities.length)] ?? patient.facility),
    category: CATEGORY(random()),
    purpose: PURPOSE(random()),
  };
}

// ---------------------------------------------------------------------------------------- service
function startService(url: string, cacheUrl: string, groupId: string, issuer: ReturnType<typeof createTestIssuer>): Promise<BenchService> {
  return startBenchService({
    app: 'consent-service',
    main: MAIN,
    nodeArgs: PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url,
      REDIS_URL: cacheUrl,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: `consent-bench-${process.pid}`,
      // A group of its own: the bench must never take identity events meant for another consent-service.
      CONSENT_CONSUMER_GROUP: groupId,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
    },
  });
}

// ------------------------------------------------------------------------------ single decisions
/** Answers by decision and reason (`permit consent-granted` …), and the first error seen. */
class Tally {
  readonly answers = new Map<string, number>();
  errors = 0;
  firstError: string | undefined;

  add(decision: { decision?: string; reason?: string }): void {
    const key = `${decision.decision ?? '?'} ${decision.reason ?? '?'}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  error(status: number | string, body: string): void {
    this.errors += 1;
    this.firstError ??= `${status}: ${body.slice(0, 500)}`;
  }

  toString(): string {
    const total = [...this.answers.values()].reduce((s, n) => s + n, 0);
    return [...this.answers]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${fmt((100 * n) / Math.max(1, total), 1)} %`)
      .join(', ');
  }
}

/**
 * Closed-loop single decisions: `concurrency` clients on keep-alive sockets, each waiting for its
 * answer. Sequential over `queries` in order when `seconds` is undefined; otherwise random picks for that long.
 */
function singleDecisions(service: BenchService, token: string, queries: readonly Query[], concurrency: number, seconds: number | undefined, tally: Tally): Promise<LatencySummary> {
  const bodies = queries.map((q) => JSON.stringify(q));
  const headers = { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'treatment', 'content-type': 'application/json' };
  return closedLoop({
    port: service.port,
    concurrency: seconds === undefined ? 1 : concurrency,
    ...(seconds === undefined ? {} : { seconds }),
    next: (i) => {
      const body = seconds === undefined ? bodies[i] : bodies[Math.floor(Math.random() * bodies.length)];
      return body === undefined ? undefined : { method: 'POST', path: '/v1/decisions', headers, body };
    },
    onResponse: (status, text) => (status !== 200 ? tally.error(status, text) : tally.add(JSON.parse(text) as { decision?: string; reason?: string })),
    onError: (error) => tally.error('socket', error.message),
  });
}

// ------------------------------------------------------------------------------- batch decisions
/**
 * Batch requests by autocannon, each body sent in turn: for `seconds` (bodies repeat), or each body
 * exactly once (`seconds` undefined: the cold set, where a repeat would be a cache hit).
 */
async function batchDecisions(service: BenchService, token: string, bodies: readonly string[], seconds: number | undefined, tally: Tally) {
  let next = 0;
  const result = await autocannon({
    url: service.base,
    // autocannon refuses more connections than requests.
    connections: seconds === undefined ? Math.min(CONNECTIONS, bodies.length) : CONNECTIONS,
    ...(seconds === undefined ? { amount: bodies.length } : { duration: seconds }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/v1/decisions/batch',
        setupRequest: (req: AutocannonRequest) => {
          const body = bodies[next % bodies.length] ?? '';
          next += 1;
          return {
            ...req,
            method: 'POST',
            path: '/v1/decisions/batch',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose-of-use': 'treatment' },
            body,
          };
        },
        onResponse: (status: number, body: string) => {
          if (status !== 200) return tally.error(status, body);
          for (const d of (JSON.parse(body) as { decisions?: { decision?: string; reason?: string }[] }).decisions ?? []) tally.add(d);
        },
      },
    ],
  });
  const decisions = result['2xx'] * BATCH;
  return { result, decisions, perSecond: decisions / result.duration };
}

function batchBodies(pool: readonly PatientRow[], count: number, facilities: readonly string[], random: () => number, distinct: boolean): string[] {
  const bodies: string[] = [];
  let cursor = 0;
  for (let b = 0; b < count; b += 1) {
    const queries: Query[] = [];
    for (let i = 0; i < BATCH; i += 1) {
      const patient = distinct ? pool[cursor++] : pool[Math.floor(random() * pool.length)];
      if (patient) queries.push(queryFor(patient, facilities, random));
    }
    bodies.push(JSON.stringify({ queries }));
  }
  return bodies;
}

// ------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const url = DB.url;
  const cacheUrl = redisUrl();
  const started = performance.now();
  const machineAtStart = machineSummary();
  log(`machine: ${machineAtStart}`);

  let load: Awaited<ReturnType<typeof loadConsentPopulation>> | undefined;
  if (REUSE && (await loadedBefore())) {
    log(`reusing ${DB.name} (${LOAD_MARK}, --reuse); applying pending migrations`);
    await migrate(url);
  } else {
    if (REUSE) log(`--reuse: no complete load of this size and seed in ${DB.name}; loading`);
    await DB.recreate();
    await migrate(url);
    log(`loading ${fmt(CONSENTS)} consents of ${fmt(PATIENTS)} patients into ${DB.name} (set-based SQL, indexes rebuilt after)…`);
    load = await loadConsentPopulation({ url, consents: CONSENTS, patients: PATIENTS, seed: SEED, log });
    await DB.setComment(LOAD_MARK);
    log(`loaded in ${fmt(load.loadSeconds, 1)} s + ${fmt(load.indexSeconds, 1)} s index build and VACUUM ANALYZE`);
  }
  const size = await DB.size();
  const { patients, facilities } = await patientsAndFacilities(url);

  // Disjoint sets: warm-up, (a)+(b) and the warm batch set, and the cold batch set.
  const warmPatients = patients.slice(0, WARM_PATIENTS);
  const uncachedCount = Math.min(UNCACHED, Math.floor(PATIENTS / 4));
  const measured = patients.slice(WARM_PATIENTS, WARM_PATIENTS + uncachedCount);
  const rest = patients.slice(WARM_PATIENTS + uncachedCount);
  // A few batches' worth of the rest warm the uncached batch path (the states read from Postgres together) before it is measured.
  const warmColdCount = Math.min(10 * BATCH, Math.floor(rest.length / 10));
  const warmCold = rest.slice(0, warmColdCount);
  const cold = rest.slice(warmColdCount);
  const random = rng(SEED);
  const warmQueries = warmPatients.map((p) => queryFor(p, facilities, random));
  const singleQueries = measured.map((p) => queryFor(p, facilities, random));
  const warmBodies = batchBodies([...warmPatients, ...measured], 200, facilities, random, false);
  const coldBodies = batchBodies(cold, Math.floor(cold.length / BATCH), facilities, random, true);
  if (coldBodies.length < 20) log(`warning: only ${coldBodies.length} cold batches of ${BATCH} (${fmt(cold.length)} patients left): a small sample`);

  const { deleted } = await clearCache(cacheUrl);
  log(`cache: Redis database ${REDIS_DB}, ${fmt(deleted)} consent:* keys deleted`);
  const issuer = createTestIssuer();
  const token = await issuer.sign({ service: 'bench', scope: 'lienthong/consent.decide', sub: 'consent-bench', ttlSeconds: 3_600 });

  const groupId = `consent-bench-${process.pid}-${Date.now().toString(36)}`;
  const skipped = await startGroupAtTopicEnds(groupId);
  log(`consumer group ${groupId} starts at the end of identity's topics (${fmt(skipped)} earlier events there are not the bench's)`);
  log('starting the built service…');
  const service = await startService(url, cacheUrl, groupId, issuer);
  let exitCode: number | null = null;
  try {
    // Warm-up on patients never measured: JIT, pools, prepared plans, the cache client — uncached then cached, single and batch.
    const warmTally = new Tally();
    await singleDecisions(service, token, warmQueries, 4, undefined, warmTally);
    await singleDecisions(service, token, warmQueries, 4, undefined, warmTally);
    const warmColdBodies = batchBodies(warmCold, Math.floor(warmCold.length / BATCH), facilities, random, true);
    if (warmColdBodies.length > 0) await batchDecisions(service, token, warmColdBodies, undefined, warmTally);
    await batchDecisions(service, token, batchBodies(warmPatients, 20, facilities, random, false), undefined, warmTally);
    if (warmTally.errors > 0) throw new Error(`warm-up: ${warmTally.errors} failed requests, first: ${warmTally.firstError}\n${service.tail().slice(-3_000)}`);

    log(`(a) ${fmt(singleQueries.length)} uncached single decisions, sequential…`);
    const uncachedTally = new Tally();
    const uncached = await singleDecisions(service, token, singleQueries, 1, undefined, uncachedTally);
    log(`(b) the same ${fmt(singleQueries.length)} again (cached), sequential, then ${CONCURRENCY} clients for ${LOOKUP_SECONDS} s…`);
    const cachedTally = new Tally();
    const cachedSeq = await singleDecisions(service, token, singleQueries, 1, undefined, cachedTally);
    const cachedConc = await singleDecisions(service, token, singleQueries, CONCURRENCY, LOOKUP_SECONDS, cachedTally);
    log(`(c) batches of ${BATCH}: warm set for ${SECONDS} s, then ${fmt(coldBodies.length)} cold batches, ${CONNECTIONS} connections…`);
    const warmBatchTally = new Tally();
    const warmBatch = await batchDecisions(service, token, warmBodies, SECONDS, warmBatchTally);
    const coldBatchTally = new Tally();
    const coldBatch = coldBodies.length > 0 ? await batchDecisions(service, token, coldBodies, undefined, coldBatchTally) : undefined;
    const states = await cachedStates(cacheUrl);
    exitCode = await service.stop();

    const out: string[] = [];
    out.push('');
    out.push(`consent-service benchmark — ${fmt(CONSENTS)} consents of ${fmt(PATIENTS)} patients (seed ${SEED}), database ${size}`);
    out.push(`machine: ${machineAtStart} at start; load average at end ${loadAverage()}`);
    if (load) {
      out.push(`bulk load: ${fmt(load.loadSeconds, 1)} s INSERT … SELECT + ${fmt(load.indexSeconds, 1)} s keys, indexes and VACUUM ANALYZE = ${fmt(load.loadSeconds + load.indexSeconds, 1)} s`);
      out.push(`  rows: ${Object.entries(load.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
      out.push(`  versions: ${Object.entries(load.versions).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    } else out.push('bulk load: reused (--reuse)');
    out.push('');
    out.push('| measurement | result | target | |');
    out.push('|---|---|---|---|');
    const latency = (s: LatencySummary, errors: number) =>
      `p50 ${fmt(s.p50, 2)} ms, p90 ${fmt(s.p90, 2)} ms, **p99 ${fmt(s.p99, 2)} ms**, max ${fmt(s.max, 1)} ms (${fmt(s.n)} decisions, ${fmt(s.perSecond)} /s${errors ? `, ${fmt(errors)} errors` : ''})`;
    out.push(
      `| (a) single decision, uncached (each patient asked for the first time), HTTP, 1 client | ${latency(uncached, uncachedTally.errors)} | p99 < ${TARGETS.uncachedP99Ms} ms | ${verdict(uncached.p99 < TARGETS.uncachedP99Ms && uncachedTally.errors === 0)} |`,
    );
    out.push(
      `| (b) single decision, cached (the same patients again), HTTP, 1 client | ${latency(cachedSeq, 0)} | p99 < ${TARGETS.cachedP99Ms} ms | ${verdict(cachedSeq.p99 < TARGETS.cachedP99Ms && cachedTally.errors === 0)} |`,
    );
    out.push(`| (b) single decision, cached, HTTP, ${CONCURRENCY} concurrent clients | ${latency(cachedConc, cachedTally.errors)} | — | |`);
    const batchRow = (label: string, b: Awaited<ReturnType<typeof batchDecisions>>, tally: Tally) => {
      const r = b.result;
      const failed = r.non2xx + r.errors + r.timeouts;
      return `| (c) batch of ${BATCH}, ${label}, ${CONNECTIONS} connections, ${fmt(r.duration, 1)} s | **${fmt(b.perSecond)} decisions/s** (${fmt(r['2xx'])} requests${failed ? `, ${fmt(failed)} failed` : ''}); request latency p50 ${fmt(r.latency.p50, 1)} ms, p90 ${fmt(r.latency.p90, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms | ≥ ${fmt(TARGETS.batchPerSecond)} /s | ${verdict(b.perSecond >= TARGETS.batchPerSecond && failed === 0 && tally.errors === 0)} |`;
    };
    out.push(batchRow('warm set (cached)', warmBatch, warmBatchTally));
    if (coldBatch) out.push(batchRow('cold set (each patient once, uncached)', coldBatch, coldBatchTally));
    out.push('');
    out.push(`answers, (a) uncached singles: ${uncachedTally.toString()}`);
    out.push(`answers, (c) warm batches: ${warmBatchTally.toString()}`);
    out.push(`patients: ${fmt(warmPatients.length + warmCold.length)} warm-up, ${fmt(measured.length)} for (a)/(b) and the warm batches, ${fmt(cold.length)} cold; ${fmt(states)} patient states in the cache at the end`);
    out.push(`service exit code after SIGTERM: ${String(exitCode)}; total bench time ${fmt((performance.now() - started) / 1000)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
    const firstError = [uncachedTally, cachedTally, warmBatchTally, coldBatchTally].find((t) => t.firstError !== undefined)?.firstError;
    if (firstError !== undefined) log(`first failed request: ${firstError}\nservice log tail:\n${service.tail().slice(-3_000)}`);
  } finally {
    if (service.child.exitCode === null) await service.stop();
    if (DROP) {
      await DB.drop();
      log(`dropped ${DB.name}`);
    }
  }
}

runBench(main);
