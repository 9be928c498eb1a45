/**
 * lab-results-service benchmark — the XML path with patients already known, and the reuse check with
 * 1 M results stored:
 *   npm run bench -- lab [--only xml|reuse]
 *     XML path:    [--patients 3000] [--visits 7000] [--visits-per-file 20] [--connections 4] [--first-sight]
 *     reuse check: [--results 1000000] [--checks 3000] [--check-seconds 15] [--concurrency 8] [--redis-db 10]
 *     common:      [--seed 20251126] [--reuse] [--drop] [--profile DIR]
 *
 * Databases of its own (never the demo's): lt_lab_bench_identity (identity-service), lt_lab_bench_xml
 * (lab-results-service for the XML path, recreated every run: resubmitted visits would change nothing),
 * lt_lab_bench_consent (consent-service) and lt_lab_bench (lab-results-service with the results).
 * The built services (dist/apps/<name>/main.js, as deployed: relay on, info logging) run with plain
 * node, migrated by their built migrate.js; one throwaway ES256 issuer signs every token, and
 * lab-results-service signs its own service tokens with its key (LAB_SERVICE_TOKEN_KEY_FILE).
 *
 * 1. XML path. identity-service (synthetic seed registry on) knows `--patients` people with a CCCD,
 *    each registered once over HTTP at a non-sensitive seed facility (the HIS's `POST /v1/patients`);
 *    lab-results-service's registry copy holds the same facilities, patients and links (what its
 *    consumer would have learned from identity's events). `--visits` outpatient visits of those
 *    people at their facility (XML1 + XML3 + XML4, 10–20 result lines each, the catalogue's codes,
 *    decimal commas, unit spellings) are written with @lienthong/xml130's buildXml130File, grouped by
 *    facility into files of `--visits-per-file`, and POSTed to /v1/xml130 (each facility's own token) by
 *    autocannon with `--connections`, each file once, after a warm-up on other visits — one of every
 *    person, so lab-results-service has resolved each patient through identity once, as their earlier
 *    visits would have (`--first-sight`: a short warm-up instead, most people first seen by lab-results
 *    during the measurement, each costing a register-or-link call). Measured: results
 *    stored per second (rows in lab_results, polled, from the first request to the last row), when
 *    every lab.result.v1 event had left the outbox, request latency, and every visit's outcome.
 * 2. Reuse check. lt_lab_bench_consent is loaded by consent-service's own bench loader
 *    (apps/consent-service/bench/bench-load.ts: 2.5 consents per patient, ~200 facilities); lt_lab_bench
 *    gets the same patients, facilities (with lab quality levels and ISO 15189 scopes) and links, and
 *    `--results` results with their versions for them by set-based SQL (bench-load.ts). Then
 *    `POST /v1/reuse-checks` (5 tests, purpose treatment, the patient's own facility or its province's
 *    hospital asking) sequentially (p50/p90/p99), and by autocannon with `--concurrency` connections.
 *
 * Each figure is reported against the issue's target (PASS / MISSED) with the machine and its load.
 * `--reuse` keeps loaded databases of the same size and seed (identity, consent, lab); `--drop` drops
 * every bench database at the end. `--profile DIR` writes V8 CPU profiles of the services there.
 */
import 'reflect-metadata';
import { FacilityChangedV1, PatientLinkedV1, PatientMergedV1, PatientRegisteredV1, PatientUnmergedV1, Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import { PopulationGenerator } from '@lienthong/synthetic';
import {
  benchDatabase,
  benchFlag,
  benchNumber,
  benchOption,
  closedLoop,
  fmt,
  loadAverage,
  machineSummary,
  runBench,
  testInfra,
  testKafka,
  WORKSPACE_ROOT,
  type AutocannonResult,
  type BenchService,
  type LatencySummary,
} from '@lienthong/testing';
import { buildXml130File, type Xml130VisitInput } from '@lienthong/xml130';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createClient } from 'redis';
import {
  cannon,
  createBenchIssuer,
  latencyText,
  rng,
  routeDelta,
  routeTotals,
  runBuilt,
  startBuiltService as startProcess,
  Tally,
  until,
  verdict,
  type BenchIssuer,
  type PreparedRequest,
} from './bench-support';
import { loadConsentPopulation, loadLabRegistry, loadLabResults, type ConsentLoadResult, type LabLoadResult } from './bench-load';
import { benchPerson, catalogueNow, registrationBody, seedFacilities, visitOf, type BenchPerson } from './bench-visits';
import { reuseCheckRequests, type CheckPlan } from './bench-checks';

// ---------------------------------------------------------------------------------------- options
const ONLY = benchOption('only');
if (ONLY !== undefined && ONLY !== 'xml' && ONLY !== 'reuse') throw new Error('--only must be xml or reuse');
const RUN_XML = ONLY !== 'reuse';
const RUN_REUSE = ONLY !== 'xml';
const PATIENTS = Math.floor(benchNumber('patients', 3_000));
const VISITS = Math.floor(benchNumber('visits', 7_000));
const VISITS_PER_FILE = Math.floor(benchNumber('visits-per-file', 20));
const CONNECTIONS = Math.floor(benchNumber('connections', 4));
const RESULTS = Math.floor(benchNumber('results', 1_000_000, { min: 1_000 }));
/** ~5 results per patient: 1 M results for ~200k patients. */
const RESULT_PATIENTS = Math.max(100, Math.round(RESULTS / 5));
const CHECKS = Math.floor(benchNumber('checks', 3_000));
const CHECK_SECONDS = benchNumber('check-seconds', 15);
const CONCURRENCY = Math.floor(benchNumber('concurrency', 8));
const SEED = Math.floor(benchNumber('seed', 20_251_126));
const REDIS_DB = Math.floor(benchNumber('redis-db', 10, { min: 0 }));
const REUSE = benchFlag('reuse');
const DROP = benchFlag('drop');
const PROFILE_DIR = benchOption('profile');
/** A short warm-up: most patients are first seen by lab-results-service (and sent to identity) while measured. */
const FIRST_SIGHT = benchFlag('first-sight');

const DB = {
  identity: benchDatabase('lt_lab_bench_identity'),
  xml: benchDatabase('lt_lab_bench_xml'),
  consent: benchDatabase('lt_lab_bench_consent'),
  lab: benchDatabase('lt_lab_bench'),
} as const;
const DIST = join(WORKSPACE_ROOT, 'dist/apps');
const built = (app: string) => ({ main: join(DIST, app, 'main.js'), migrate: join(DIST, app, 'migrate.js') });
const TMP = join(WORKSPACE_ROOT, 'tmp');
/** The enterprise ids identity answered for the bench's people (kept with the identity database for --reuse). */
const IDENTITY_FILE = join(TMP, `${DB.identity.name}.patients.json`);
const MARK = {
  identity: `lab-bench identity patients=${PATIENTS} seed=${SEED}`,
  consent: `lab-bench consent patients=${RESULT_PATIENTS} seed=${SEED}`,
  lab: `lab-bench results=${RESULTS} patients=${RESULT_PATIENTS} seed=${SEED}`,
};
const TARGETS = { xmlResultsPerSecond: 5_000, checkP99Ms: 20 };
/** Scopes the bench's callers hold. */
const SCOPES = {
  identityRegister: 'system/Patient.cu system/Patient.rs',
  /** POST /v1/xml130 */
  ingest: 'system/Observation.c',
  /** POST /v1/reuse-checks */
  reuse: 'system/Observation.rs',
};

const log = (msg: string) => process.stderr.write(`[lab-bench] ${msg}\n`);
const seconds = (ms: number) => ms / 1000;

// ------------------------------------------------------------------------------------- the stack
/** Every service process the bench started: whatever still runs is stopped at the end, failure or not. */
const processes: BenchService[] = [];

async function startBuiltService(...args: Parameters<typeof startProcess>): Promise<BenchService> {
  const service = await startProcess(...args);
  processes.push(service);
  return service;
}

function commonEnv(issuer: BenchIssuer, url: string, clientId: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: `${clientId}-${process.pid}`,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
  };
}

async function migrateWith(app: string, env: Record<string, string>): Promise<void> {
  await runBuilt(built(app).migrate, env);
}

/**
 * A consumer group of its own that starts at the end of identity's topics: the bench's populations
 * are loaded directly, and whatever identity events other runs left on this machine's Kafka are not
 * theirs.
 */
async function groupAtTopicEnds(groupId: string): Promise<void> {
  const topics = [...new Set([PatientRegisteredV1, PatientLinkedV1, PatientMergedV1, PatientUnmergedV1, FacilityChangedV1].map((d) => d.topic.name))];
  const admin = testKafka(`lab-bench-admin-${process.pid}`).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

async function startLab(issuer: BenchIssuer, url: string, identity: BenchService | undefined, consent: BenchService | undefined, label: string): Promise<BenchService> {
  const group = `lab-bench-${label}-${process.pid}-${Date.now().toString(36)}`;
  await groupAtTopicEnds(group);
  return startBuiltService(
    'lab-results-service',
    built('lab-results-service').main,
    {
      ...commonEnv(issuer, url, `lab-bench-${label}`),
      LAB_IDENTITY_URL: identity?.base ?? 'http://127.0.0.1:9',
      LAB_CONSENT_URL: consent?.base ?? 'http://127.0.0.1:9',
      LAB_SERVICE_TOKEN_KEY_FILE: issuer.privateKeyFile,
      LAB_CONSUMER_GROUP: group,
    },
    PROFILE_DIR,
  );
}

/** Each request once, by `concurrency` closed-loop clients (the kit's closedLoop). */
function sendEach(port: number, requests: readonly PreparedRequest[], concurrency: number, tally: Tally, onResponse: (status: number, body: string) => void): Promise<LatencySummary> {
  return closedLoop({
    port,
    concurrency,
    next: (i) => requests[i],
    onResponse,
    onError: (error) => tally.error('socket', error.message),
  });
}

async function withSql<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// -------------------------------------------------------------------------------------- people
/** The bench's people, the same for a seed: everyone with a CCCD, at a non-sensitive seed facility. */
function benchPeople(count: number): BenchPerson[] {
  const facilities = seedFacilities()
    .filter((f) => !f.sensitive)
    .map((f) => f.code);
  const generator = new PopulationGenerator({ seed: SEED });
  const people: BenchPerson[] = [];
  while (people.length < count) {
    const p = generator.person();
    if (p.cccd === undefined) continue;
    const n = people.length;
    people.push(benchPerson({ ...p, cccd: p.cccd }, facilities[n % facilities.length] as string, `LB${String(n).padStart(8, '0')}`));
  }
  return people;
}

interface IdentityFile {
  readonly patients: number;
  readonly seed: number;
  /** enterprise patient id per person, in order. */
  readonly ids: string[];
}

/** identity-service's database with the bench's people registered (once; kept for --reuse). */
async function prepareIdentity(issuer: BenchIssuer, people: readonly BenchPerson[]): Promise<{ service: BenchService; ids: string[]; registered: { seconds: number } | undefined }> {
  const url = DB.identity.url;
  const env = { ...commonEnv(issuer, url, 'lab-bench-identity'), IDENTITY_SEED_FACILITIES: 'true' };
  let saved: IdentityFile | undefined;
  if (REUSE && (await DB.identity.comment()) === MARK.identity && existsSync(IDENTITY_FILE)) {
    const file = JSON.parse(readFileSync(IDENTITY_FILE, 'utf8')) as IdentityFile;
    if (file.patients === PATIENTS && file.seed === SEED && file.ids.length === people.length) saved = file;
  }
  if (saved === undefined) await DB.identity.recreate();
  else log(`reusing ${DB.identity.name} (${MARK.identity}, --reuse)`);
  await migrateWith('identity-service', env);
  const service = await startBuiltService('identity-service', built('identity-service').main, env, PROFILE_DIR);
  if (saved !== undefined) return { service, ids: saved.ids, registered: undefined };

  log(`registering ${fmt(people.length)} people at identity-service over HTTP (each at their facility, 8 clients)…`);
  const tokens = new Map<string, string>();
  for (const f of new Set(people.map((p) => p.facility))) tokens.set(f, await issuer.sign({ facility: f, scope: SCOPES.identityRegister, sub: `his-${f}` }));
  const requests: PreparedRequest[] = people.map((p) => ({
    path: '/v1/patients',
    headers: { authorization: `Bearer ${tokens.get(p.facility) ?? ''}`, 'content-type': 'application/json', 'x-purpose-of-use': 'treatment' },
    body: JSON.stringify(registrationBody(p)),
  }));
  const ids: string[] = new Array<string>(people.length).fill('');
  const tally = new Tally();
  const t0 = performance.now();
  let next = 0;
  // Eight clients; each answer's enterprise id kept at its person's index.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const r = requests[i] as PreparedRequest;
        try {
          const response = await fetch(`${service.base}${r.path}`, { method: 'POST', headers: r.headers, body: r.body });
          const body = await response.text();
          if (response.status !== 200 && response.status !== 201) {
            tally.error(response.status, body);
            continue;
          }
          const answer = JSON.parse(body) as { enterprisePatientId?: string; outcome?: string };
          tally.add(answer.outcome ?? '?');
          ids[i] = answer.enterprisePatientId ?? '';
        } catch (error) {
          tally.error('socket', error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const registered = { seconds: (performance.now() - t0) / 1000 };
  if (tally.errors > 0 || ids.some((id) => id === '')) throw new Error(`registration: ${tally.errors} failed, first: ${tally.firstError}`);
  log(`registered in ${fmt(registered.seconds, 1)} s: ${tally.toString()}`);
  mkdirSync(TMP, { recursive: true });
  writeFileSync(IDENTITY_FILE, JSON.stringify({ patients: PATIENTS, seed: SEED, ids } satisfies IdentityFile));
  await DB.identity.setComment(MARK.identity);
  return { service, ids, registered };
}

// -------------------------------------------------------------------------------------- XML path
interface XmlFile {
  readonly facility: string;
  readonly visits: number;
  readonly results: number;
  readonly body: string;
}

/** `--visits` visits of the people (visit k: person k mod P), grouped by facility into files of `--visits-per-file`. */
function xmlFiles(people: readonly BenchPerson[], from: number, count: number, random: () => number): XmlFile[] {
  const catalogue = catalogueNow();
  const byFacility = new Map<string, { visits: Xml130VisitInput[]; results: number }>();
  const files: XmlFile[] = [];
  const flush = (facility: string) => {
    const open = byFacility.get(facility);
    if (open === undefined || open.visits.length === 0) return;
    const body = buildXml130File(open.visits, { facility, createdAt: new Date() });
    files.push({ facility, visits: open.visits.length, results: open.results, body });
    byFacility.delete(facility);
  };
  const now = Date.now();
  for (let k = from; k < from + count; k += 1) {
    const person = people[k % people.length] as BenchPerson;
    // Visits over the last ten days, each within its day's opening hours.
    const start = now - (1 + Math.floor(random() * 10)) * 86_400_000 + Math.floor(random() * 6 * 3_600_000);
    const { visit, resultLines } = visitOf(person, k, start, catalogue, random);
    const open = byFacility.get(person.facility) ?? { visits: [], results: 0 };
    open.visits.push(visit);
    open.results += resultLines;
    byFacility.set(person.facility, open);
    if (open.visits.length >= VISITS_PER_FILE) flush(person.facility);
  }
  for (const facility of [...byFacility.keys()]) flush(facility);
  // Facilities interleaved, as hospitals send at the same time (a seeded shuffle).
  for (let i = files.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [files[i], files[j]] = [files[j] as XmlFile, files[i] as XmlFile];
  }
  return files;
}

async function uploadRequests(issuer: BenchIssuer, files: readonly XmlFile[]): Promise<PreparedRequest[]> {
  const tokens = new Map<string, string>();
  for (const f of new Set(files.map((x) => x.facility))) tokens.set(f, await issuer.sign({ facility: f, scope: SCOPES.ingest, sub: `his-${f}` }));
  return files.map((f) => ({
    path: '/v1/xml130',
    headers: { authorization: `Bearer ${tokens.get(f.facility) ?? ''}`, 'content-type': 'application/xml', 'x-purpose-of-use': 'treatment' },
    body: f.body,
  }));
}

interface Submission {
  readonly visits?: readonly { readonly outcome?: string; readonly results?: Record<string, number> }[];
}

function tallySubmission(tally: Tally, status: number, body: string): void {
  if (status !== 200) return tally.error(status, body);
  const answer = JSON.parse(body) as Submission;
  for (const v of answer.visits ?? []) tally.add(v.outcome ?? '?');
}

interface Counts {
  readonly results: number;
  readonly outbox: number;
}

async function counts(c: Client): Promise<Counts> {
  const row = (
    await c.query<{ results: string; outbox: string }>(
      `SELECT (SELECT count(*) FROM lab_results) AS results, (SELECT count(*) FROM outbox WHERE topic = $1) AS outbox`,
      [Topics.labResultV1.name],
    )
  ).rows[0];
  return { results: Number(row?.results ?? 0), outbox: Number(row?.outbox ?? 0) };
}

interface XmlOutcome {
  readonly files: number;
  readonly visits: number;
  readonly results: number;
  readonly megabytes: number;
  readonly requests: AutocannonResult;
  readonly tally: Tally;
  /** ms from the first request. */
  readonly requestsDoneMs: number;
  readonly storedMs: number | undefined;
  readonly relayedMs: number | undefined;
  readonly stored: number;
  /** Results/s over the steadiest 10 s (the best window of the polled counts). */
  readonly peakPerSecond: number;
  readonly registered: { seconds: number } | undefined;
  readonly warmResults: number;
  /** identity-service's register-or-link calls during the measured uploads, and its mean server time. */
  readonly identityCalls: { calls: number; meanMs: number };
  /** lab-results-service's uploads as its own metrics saw them. */
  readonly uploads: { calls: number; meanMs: number };
}

async function xmlPath(issuer: BenchIssuer): Promise<{ outcome: XmlOutcome; identity: BenchService }> {
  const people = benchPeople(PATIENTS);
  const { service: identity, ids, registered } = await prepareIdentity(issuer, people);
  const url = DB.xml.url;
  await DB.xml.recreate();
  await migrateWith('lab-results-service', { ...commonEnv(issuer, url, 'lab-bench-migrate') });
  // The registry copy lab-results-service would have learned from identity's events.
  await withSql(url, (c) =>
    loadLabRegistry(c, {
      facilities: seedFacilities(),
      patients: people.map((p, i) => ({ id: ids[i] as string, facility: p.facility, localId: p.localId })),
    }),
  );

  const random = rng(SEED);
  const shortWarmUp = Math.max(VISITS_PER_FILE, Math.min(500, Math.floor(VISITS / 20)));
  // Visit k is person k mod P's: P warm-up visits are everyone's first.
  const warmCount = FIRST_SIGHT ? shortWarmUp : Math.max(shortWarmUp, PATIENTS);
  log(`writing ${fmt(VISITS + warmCount)} visits as XML 130 (${VISITS_PER_FILE} per file)…`);
  const warmFiles = xmlFiles(people, 0, warmCount, random);
  const files = xmlFiles(people, warmCount, VISITS, random);
  const expected = files.reduce((s, f) => s + f.results, 0);
  const warmResults = warmFiles.reduce((s, f) => s + f.results, 0);
  const megabytes = files.reduce((s, f) => s + Buffer.byteLength(f.body), 0) / 2 ** 20;

  const lab = await startLab(issuer, url, identity, undefined, 'xml');
  try {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const warmTally = new Tally();
      await sendEach(lab.port, await uploadRequests(issuer, warmFiles), 2, warmTally, (s, b) => tallySubmission(warmTally, s, b));
      if (warmTally.errors > 0) throw new Error(`warm-up: ${warmTally.errors} failed uploads, first: ${warmTally.firstError}\n${lab.tail().slice(-3_000)}`);
      const warmStored = await until(async () => (await counts(c)).results >= warmResults && (await counts(c)).outbox === 0, 120_000);
      if (!warmStored) throw new Error(`warm-up: ${fmt((await counts(c)).results)} of ${fmt(warmResults)} results stored after 120 s (visits: ${warmTally.toString()})\n${lab.tail().slice(-3_000)}`);
      log(`warm-up: ${fmt(warmFiles.length)} files, ${fmt(warmResults)} results (${warmTally.toString()})`);

      const base = await counts(c);
      const requests = await uploadRequests(issuer, files);
      log(`(1) ${fmt(files.length)} files, ${fmt(VISITS)} visits, ${fmt(expected)} results, ${fmt(megabytes, 1)} MB, ${CONNECTIONS} connections…`);
      const samples: { at: number; results: number }[] = [];
      let storedMs: number | undefined;
      let relayedMs: number | undefined;
      const t0 = performance.now();
      let lastChangeMs = 0;
      /** Set once every upload has been answered. */
      const progress: { requestsDoneMs?: number } = {};
      const poller = (async () => {
        let previous: Counts | undefined;
        for (;;) {
          const now = await counts(c);
          const at = performance.now() - t0;
          if (previous === undefined || now.results !== previous.results || now.outbox !== previous.outbox) lastChangeMs = at;
          previous = now;
          samples.push({ at, results: now.results - base.results });
          if (storedMs === undefined && now.results - base.results >= expected) storedMs = at;
          if (storedMs !== undefined && now.outbox === 0) {
            relayedMs = at;
            return;
          }
          // Everything answered and nothing moving for 60 s: stop waiting (reported as not all stored / not drained).
          if (progress.requestsDoneMs !== undefined && at - Math.max(lastChangeMs, progress.requestsDoneMs) > 60_000) return;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      const identityBefore = await routeTotals(identity.base, 'POST', '/v1/patients');
      const uploadsBefore = await routeTotals(lab.base, 'POST', '/v1/xml130');
      const tally = new Tally();
      const result = await cannon(lab.base, requests, CONNECTIONS, undefined, (s, b) => tallySubmission(tally, s, b));
      progress.requestsDoneMs = performance.now() - t0;
      await poller;
      const identityCalls = routeDelta(identityBefore, await routeTotals(identity.base, 'POST', '/v1/patients'));
      const uploads = routeDelta(uploadsBefore, await routeTotals(lab.base, 'POST', '/v1/xml130'));
      const stored = (samples[samples.length - 1]?.results ?? 0);
      return {
        identity,
        outcome: {
          files: files.length,
          visits: VISITS,
          results: expected,
          megabytes,
          requests: result,
          tally,
          requestsDoneMs: progress.requestsDoneMs,
          storedMs,
          relayedMs,
          stored,
          peakPerSecond: bestWindow(samples, 10_000),
          registered,
          warmResults,
          identityCalls,
          uploads,
        },
      };
    } finally {
      await c.end();
    }
  } finally {
    await lab.stop();
  }
}

/** The highest rate over any `windowMs` of the polled counts. */
function bestWindow(samples: readonly { at: number; results: number }[], windowMs: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const end = samples[i] as { at: number; results: number };
    while (j < i && end.at - (samples[j] as { at: number }).at > windowMs) j += 1;
    const start = samples[j] as { at: number; results: number };
    if (end.at - start.at >= windowMs / 2) best = Math.max(best, ((end.results - start.results) * 1000) / (end.at - start.at));
  }
  return best;
}

// ----------------------------------------------------------------------------------- reuse check
async function clearConsentCache(): Promise<number> {
  const url = new URL(testInfra().redisUrl);
  url.pathname = `/${REDIS_DB}`;
  const redis = createClient({ url: url.toString() });
  await redis.connect();
  let deleted = 0;
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'consent:*', COUNT: 1_000 })) if (keys.length > 0) deleted += await redis.del(keys);
    return deleted;
  } finally {
    redis.destroy();
  }
}

interface ReuseOutcome {
  readonly consentLoad: ConsentLoadResult | undefined;
  readonly labLoad: LabLoadResult | undefined;
  readonly labSize: string;
  readonly sequential: LatencySummary;
  readonly sequentialTally: Tally;
  readonly concurrent: AutocannonResult;
  readonly concurrentTally: Tally;
  readonly plan: CheckPlan;
  /** During the sequential checks: consent-service's batch decisions and lab-results-service's checks as their own metrics saw them. */
  readonly consentCalls: { calls: number; meanMs: number };
  readonly checks: { calls: number; meanMs: number };
}

async function reusePath(issuer: BenchIssuer, identity: BenchService | undefined): Promise<ReuseOutcome> {
  const consentUrl = DB.consent.url;
  const consentEnv = {
    ...commonEnv(issuer, consentUrl, 'lab-bench-consent'),
    REDIS_URL: (() => {
      const u = new URL(testInfra().redisUrl);
      u.pathname = `/${REDIS_DB}`;
      return u.toString();
    })(),
    CONSENT_CONSUMER_GROUP: `lab-bench-consent-${process.pid}-${Date.now().toString(36)}`,
  };
  let consentLoad: ReuseOutcome['consentLoad'];
  if (REUSE && (await DB.consent.comment()) === MARK.consent) {
    log(`reusing ${DB.consent.name} (${MARK.consent}, --reuse)`);
    await migrateWith('consent-service', consentEnv);
  } else {
    await DB.consent.recreate();
    await migrateWith('consent-service', consentEnv);
    log(`loading consents of ${fmt(RESULT_PATIENTS)} patients into ${DB.consent.name} (consent-service's bench loader)…`);
    consentLoad = await loadConsentPopulation({ url: consentUrl, consents: Math.round(RESULT_PATIENTS * 2.5), patients: RESULT_PATIENTS, seed: SEED, log });
    await DB.consent.setComment(MARK.consent);
  }

  const labUrl = DB.lab.url;
  let labLoad: LabLoadResult | undefined;
  if (REUSE && (await DB.lab.comment()) === MARK.lab) {
    log(`reusing ${DB.lab.name} (${MARK.lab}, --reuse; earlier runs' checks and audit rows stay)`);
    await migrateWith('lab-results-service', commonEnv(issuer, labUrl, 'lab-bench-migrate'));
  } else {
    await DB.lab.recreate();
    await migrateWith('lab-results-service', commonEnv(issuer, labUrl, 'lab-bench-migrate'));
    log(`loading ${fmt(RESULTS)} results of ${fmt(RESULT_PATIENTS)} patients into ${DB.lab.name} (set-based SQL, indexes rebuilt after)…`);
    labLoad = await loadLabResults({ url: labUrl, consentUrl, results: RESULTS, seed: SEED, catalogue: catalogueNow(), log });
    await DB.lab.setComment(MARK.lab);
    log(`loaded in ${fmt(labLoad.loadSeconds, 1)} s + ${fmt(labLoad.indexSeconds, 1)} s index build and VACUUM ANALYZE`);
  }
  const labSize = await DB.lab.size();

  const deleted = await clearConsentCache();
  log(`consent cache: Redis database ${REDIS_DB}, ${fmt(deleted)} consent:* keys deleted`);
  const consent = await startBuiltService('consent-service', built('consent-service').main, consentEnv, PROFILE_DIR);
  try {
    const lab = await startLab(issuer, labUrl, identity, consent, 'reuse');
    try {
      const plan = await reuseCheckRequests({ url: labUrl, issuer, catalogue: catalogueNow(), seed: SEED, scope: SCOPES.reuse, warm: 500, sequential: CHECKS, concurrent: 10_000 });
      const answer = (tally: Tally) => (status: number, body: string) => {
        if (status !== 200 && status !== 201) return tally.error(status, body);
        const check = JSON.parse(body) as { tests?: { outcome?: string; reason?: string | null }[] };
        for (const t of check.tests ?? []) tally.add(t.outcome === 'REUSE_CANDIDATE' ? 'REUSE_CANDIDATE' : `REPEAT_REQUIRED ${t.reason ?? '?'}`);
      };
      const warmTally = new Tally();
      await sendEach(lab.port, plan.warm, 4, warmTally, answer(warmTally));
      if (warmTally.errors > 0) throw new Error(`warm-up: ${warmTally.errors} failed checks, first: ${warmTally.firstError}\n${lab.tail().slice(-3_000)}`);
      log(`(2) ${fmt(plan.sequential.length)} reuse checks, sequential…`);
      const consentBefore = await routeTotals(consent.base, 'POST', '/v1/decisions/batch');
      const checksBefore = await routeTotals(lab.base, 'POST', '/v1/reuse-checks');
      const sequentialTally = new Tally();
      const sequential = await sendEach(lab.port, plan.sequential, 1, sequentialTally, answer(sequentialTally));
      const consentCalls = routeDelta(consentBefore, await routeTotals(consent.base, 'POST', '/v1/decisions/batch'));
      const checks = routeDelta(checksBefore, await routeTotals(lab.base, 'POST', '/v1/reuse-checks'));
      log(`(2) reuse checks by ${CONCURRENCY} connections for ${CHECK_SECONDS} s…`);
      const concurrentTally = new Tally();
      const concurrent = await cannon(lab.base, plan.concurrent, CONCURRENCY, CHECK_SECONDS, answer(concurrentTally));
      return { consentLoad, labLoad, labSize, sequential, sequentialTally, concurrent, concurrentTally, plan, consentCalls, checks };
    } finally {
      await lab.stop();
    }
  } finally {
    await consent.stop();
  }
}

// ------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = performance.now();
  const machineAtStart = machineSummary();
  log(`machine: ${machineAtStart}`);
  await provisionTopics(testKafka(`lab-bench-topics-${process.pid}`), Object.values(Topics), { logger: silentLogger, replicationFactor: 1 });
  const issuer = createBenchIssuer(TMP);
  let identity: BenchService | undefined;
  const out: string[] = [''];
  let firstError: string | undefined;
  try {
    let xml: XmlOutcome | undefined;
    if (RUN_XML) {
      const run = await xmlPath(issuer);
      xml = run.outcome;
      identity = run.identity;
    }
    let reuse: ReuseOutcome | undefined;
    if (RUN_REUSE) reuse = await reusePath(issuer, identity);

    out.push(`lab-results-service benchmark (seed ${SEED})`);
    out.push(`machine: ${machineAtStart} at start; load average at end ${loadAverage()}`);
    out.push('');
    out.push('| measurement | result | target | |');
    out.push('|---|---|---|---|');
    if (xml !== undefined) {
      const r = xml.requests;
      const failed = r.non2xx + r.errors + r.timeouts;
      const storedS = xml.storedMs === undefined ? undefined : seconds(xml.storedMs);
      const rate = storedS === undefined ? 0 : xml.results / storedS;
      const ok = storedS !== undefined && rate >= TARGETS.xmlResultsPerSecond && failed === 0 && xml.tally.errors === 0;
      out.push(
        `| (1) XML 130 → results stored, patients known to identity${FIRST_SIGHT ? ' (most first seen by lab-results, --first-sight)' : ' and to lab-results'}, ${fmt(xml.files)} files × ≤ ${VISITS_PER_FILE} visits, ${CONNECTIONS} connections | ` +
          (storedS === undefined
            ? `**not all stored**: ${fmt(xml.stored)} of ${fmt(xml.results)} results`
            : `**${fmt(rate)} results/s** (${fmt(xml.results)} results of ${fmt(xml.visits)} visits in ${fmt(storedS, 1)} s from the first request; best 10 s ${fmt(xml.peakPerSecond)} /s)`) +
          ` | ≥ ${fmt(TARGETS.xmlResultsPerSecond)} /s | ${verdict(ok)} |`,
      );
      out.push(
        `| (1) upload request latency (${fmt(xml.megabytes / xml.files, 2)} MB a file) | p50 ${fmt(r.latency.p50)} ms, p90 ${fmt(r.latency.p90)} ms, p99 ${fmt(r.latency.p99)} ms, max ${fmt(r.latency.max)} ms; ${fmt(r['2xx'])} files answered 200 in ${fmt(seconds(xml.requestsDoneMs), 1)} s${failed ? `, ${fmt(failed)} failed` : ''} | — | |`,
      );
      out.push(
        `| (1) every lab.result.v1 event relayed from the outbox | ${xml.relayedMs === undefined ? 'not drained' : `${fmt(seconds(xml.relayedMs), 1)} s from the first request (${fmt(xml.results / seconds(xml.relayedMs))} events/s)`} | — | |`,
      );
    }
    if (reuse !== undefined) {
      const c = reuse.concurrent;
      const failed = c.non2xx + c.errors + c.timeouts;
      out.push(
        `| (2) reuse check, 5 tests, ${fmt(RESULTS)} results stored, HTTP, 1 client | ${latencyText(reuse.sequential)}${reuse.sequentialTally.errors ? `, ${fmt(reuse.sequentialTally.errors)} errors` : ''} | p99 < ${TARGETS.checkP99Ms} ms | ${verdict(reuse.sequential.p99 < TARGETS.checkP99Ms && reuse.sequentialTally.errors === 0)} |`,
      );
      out.push(
        `| (2) reuse check, ${CONCURRENCY} connections, ${fmt(c.duration, 1)} s | **${fmt(c['2xx'] / c.duration)} checks/s**; p50 ${fmt(c.latency.p50, 1)} ms, p90 ${fmt(c.latency.p90, 1)} ms, p99 ${fmt(c.latency.p99, 1)} ms${failed ? `, ${fmt(failed)} failed` : ''} | — | |`,
      );
    }
    out.push('');
    if (xml !== undefined) {
      if (xml.registered) out.push(`identity: ${fmt(PATIENTS)} people registered over HTTP first, in ${fmt(xml.registered.seconds, 1)} s`);
      else out.push(`identity: ${fmt(PATIENTS)} people registered (reused, --reuse)`);
      out.push(`XML visits' outcomes: ${xml.tally.toString()}; warm-up ${fmt(xml.warmResults)} results before`);
      out.push(
        `where the time goes: lab-results-service served ${fmt(xml.uploads.calls)} uploads, mean ${fmt(xml.uploads.meanMs)} ms (${fmt(xml.uploads.meanMs / Math.max(1, xml.visits / xml.files), 1)} ms a visit); ` +
          `identity-service served ${fmt(xml.identityCalls.calls)} register-or-link calls (${fmt(xml.identityCalls.calls / Math.max(1, xml.visits), 2)} a visit), mean ${fmt(xml.identityCalls.meanMs, 1)} ms each at identity`,
      );
    }
    if (reuse !== undefined) {
      if (reuse.consentLoad) out.push(`consent load: ${Object.entries(reuse.consentLoad.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')} (${fmt(reuse.consentLoad.loadSeconds + reuse.consentLoad.indexSeconds, 1)} s)`);
      if (reuse.labLoad) {
        out.push(`lab load: ${fmt(reuse.labLoad.loadSeconds, 1)} s + ${fmt(reuse.labLoad.indexSeconds, 1)} s indexes and VACUUM ANALYZE; ${Object.entries(reuse.labLoad.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
        out.push(`  results by status: ${Object.entries(reuse.labLoad.statuses).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
      } else out.push('lab load: reused (--reuse)');
      out.push(`lab database ${reuse.labSize}; checks: ${reuse.plan.describe}`);
      out.push(
        `where the time goes (sequential): lab-results-service ${fmt(reuse.checks.meanMs, 2)} ms a check at the server; consent-service ${fmt(reuse.consentCalls.calls)} batch decisions ` +
          `(${fmt(reuse.consentCalls.calls / Math.max(1, reuse.checks.calls), 2)} a check), mean ${fmt(reuse.consentCalls.meanMs, 2)} ms each`,
      );
      out.push(`answers per test, sequential: ${reuse.sequentialTally.toString()}`);
      out.push(`answers per test, concurrent: ${reuse.concurrentTally.toString()}`);
      firstError = [reuse.sequentialTally, reuse.concurrentTally].find((t) => t.firstError !== undefined)?.firstError;
    }
    if (xml !== undefined) firstError ??= xml.tally.firstError;
    out.push(`total bench time ${fmt(seconds(performance.now() - started))} s`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (firstError !== undefined) log(`first failed request: ${firstError}`);
  } finally {
    for (const service of processes.reverse()) if (service.child.exitCode === null) await service.stop();
    rmSync(issuer.privateKeyFile, { force: true });
    if (DROP) {
      for (const db of Object.values(DB)) await db.drop();
      rmSync(IDENTITY_FILE, { force: true });
      log(`dropped ${Object.values(DB).map((db) => db.name).join(', ')}`);
    }
  }
}

runBench(main);

