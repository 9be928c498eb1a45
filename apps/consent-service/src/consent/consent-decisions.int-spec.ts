import type { Decision, DecisionQuery } from '@lienthong/contracts';
import { dataSourceOptions, PgAuditTrail, TypeormUnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { createTestDatabase, expectEventually, testInfra, type TestDatabase } from '@lienthong/testing';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { DataSource } from 'typeorm';
import { type ConsentConfig, consentConfig } from '../config/consent.config';
import { loadDefaultPolicies } from '../config/default-policies';
import { consentPersistenceOptions } from '../persistence/data-source';
import { ConsentChangeListener } from './adapters/cache/consent-change.listener';
import { RedisConsentStateCache } from './adapters/cache/redis-consent-state.cache';
import { ConsentStateRepository } from './adapters/persistence/consent-state.repository';
import { facilityDirectoryFrom } from './adapters/persistence/facility-directory.repository';
import { PgConsentChangeSignal } from './adapters/persistence/pg-consent-change.signal';
import { type Grantee } from './domain/consent';
import { DecideUseCase } from './use-cases/decide/decide.use-case';

/*
 * The decision point on the real Postgres and Redis: the truth read in one statement, the shared
 * cache (hits, misses, a stale put refused after an invalidation), the LISTENer invalidating on
 * commit, and a private redis-server (port 6390, never the machine's 6379) stopped and restarted
 * under it.
 */

const PRIVATE_REDIS_PORT = 6390;
const exchange: Actor = { kind: 'service', service: 'exchange-service', subject: 'exchange-service', scopes: [], purposeOfUse: 'treatment' };
const PROVINCIAL = '79001';
const DISTRICT = '79101';
const HANOI = '01901';

describe('the decision point (real Postgres and Redis)', () => {
  let db: TestDatabase;
  let config: ConsentConfig;
  let dataSource: DataSource;
  let uow: TypeormUnitOfWork;
  const errors: string[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  /** A DecideUseCase on the real adapters, over the cache given. */
  function decisionPoint(cache: RedisConsentStateCache): DecideUseCase {
    return new DecideUseCase(uow, cache, new ConsentStateRepository(), facilityDirectoryFrom(config), new PgAuditTrail(), loadDefaultPolicies(), {
      error: (m) => errors.push(m),
    });
  }
  function redisCache(url: string, ttlSeconds = 600): RedisConsentStateCache {
    const cache = new RedisConsentStateCache({ url, ttlSeconds });
    cache.onModuleInit();
    closers.push(() => cache.onApplicationShutdown());
    return cache;
  }
  const query = (id: string, q: Partial<DecisionQuery> = {}): DecisionQuery => ({ enterprisePatientId: id, facilityCode: PROVINCIAL, category: 'lab', purpose: 'treatment', ...q });
  const brief = (d: Decision | undefined) => (d === undefined ? 'none' : `${d.decision}:${d.reason}`);
  const ask = async (point: DecideUseCase, id: string, q: Partial<DecisionQuery> = {}) => brief((await point.execute(exchange, [query(id, q)]))[0]);

  // ---- seeding (test data, by SQL: what the consent and identity use cases would have stored) ----

  async function patient(links: string[] = [DISTRICT], mergedInto: string | null = null): Promise<string> {
    const id = randomUUID();
    await dataSource.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, $2, now())`, [id, mergedInto]);
    for (const code of links) await dataSource.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, $2, $3)`, [code, `BN-${id.slice(0, 8)}`, id]);
    return id;
  }
  interface Statement {
    consentId?: string;
    version?: number;
    status?: 'granted' | 'refused' | 'withdrawn';
    categories?: string[];
    grantees?: Grantee[];
    recordedAt?: Date;
    validUntil?: Date | null;
    representative?: { subjectBirthDate: string; childConsented: boolean };
  }
  async function record(patientId: string, s: Statement = {}): Promise<string> {
    const consentId = s.consentId ?? randomUUID();
    const version = s.version ?? 1;
    const at = s.recordedAt ?? new Date(Date.now() - 60_000);
    if (version === 1) await dataSource.query(`INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at) VALUES ($1, $2, $2, $3)`, [consentId, patientId, at]);
    await dataSource.query(
      `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until, channel, recorded_by,
         recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in-person', 'bs-nguyen', $9, $7, true, $10, 'his-79101')`,
      [
        consentId,
        version,
        s.status ?? 'granted',
        ['treatment', 'referral'],
        s.categories ?? ['lab', 'imaging'],
        JSON.stringify(s.grantees ?? [{ kind: 'any-facility' }]),
        at,
        s.validUntil ?? null,
        DISTRICT,
        s.representative ? JSON.stringify({ relationship: 'parent', name: 'Trần Thị Mẹ', ...s.representative }) : null,
      ],
    );
    return consentId;
  }
  const withdraw = (patientId: string, consentId: string, version: number) => record(patientId, { consentId, version, status: 'withdrawn', recordedAt: new Date() });

  beforeAll(async () => {
    db = await createTestDatabase('consent_decisions');
    config = consentConfig.load({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: testInfra().redisUrl,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      AUTH_PUBLIC_KEY: 'unused-without-http',
    });
    dataSource = new DataSource(dataSourceOptions(consentPersistenceOptions(config)));
    await dataSource.initialize();
    await dataSource.runMigrations();
    uow = new TypeormUnitOfWork(dataSource);
    await dataSource.query(
      `INSERT INTO facilities (code, level, province_code, sensitive, version) VALUES ($1, 'specialised', '79', false, 1), ($2, 'basic', '79', false, 1), ($3, 'specialised', '01', false, 1)`,
      [PROVINCIAL, DISTRICT, HANOI],
    );
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await dataSource?.destroy();
    await db?.drop();
  });

  describe('the truth (one statement for a batch)', () => {
    it('answers every requested patient: unknown, merged (its survivor’s consents), withdrawn, care relationships, minors, emergency accesses still running (also one declared before a merge)', async () => {
      const cache = redisCache(testInfra().redisUrl);
      const point = decisionPoint(cache);
      const granted = await patient();
      await record(granted);
      const withdrawn = await patient();
      const consent = await record(withdrawn);
      await withdraw(withdrawn, consent, 2);
      const survivor = await patient();
      await record(survivor, { grantees: [{ kind: 'care-relationship' }] });
      const merged = await patient([], survivor);
      const sixYears = new Date(Date.now() - 6.5 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const sevenYears = new Date(Date.now() - 7.5 * 365.25 * 86_400_000).toISOString().slice(0, 10);
      const six = await patient();
      await record(six, { representative: { subjectBirthDate: sixYears, childConsented: false } });
      const seven = await patient();
      await record(seven, { representative: { subjectBirthDate: sevenYears, childConsented: false } });
      const emergency = await patient();
      await dataSource.query(
        `INSERT INTO emergency_accesses (id, enterprise_patient_id, facility_code, clinician_id, reason, granted_at, expires_at, actor_subject)
         VALUES ($1, $2, $3, 'bs-le', 'ngừng tim', now() - interval '1 minute', now() + interval '1 hour', 'his-79001'),
                ($4, $2, $5, 'bs-le', 'đã hết hạn', now() - interval '2 hours', now() - interval '1 hour', 'his-01901')`,
        [randomUUID(), emergency, PROVINCIAL, randomUUID(), HANOI],
      );
      // Declared while the patient still had its own id; identity merged it away since.
      const emergencySurvivor = await patient();
      const emergencyMerged = await patient([], emergencySurvivor);
      await dataSource.query(
        `INSERT INTO emergency_accesses (id, enterprise_patient_id, facility_code, clinician_id, reason, granted_at, expires_at, actor_subject)
         VALUES ($1, $2, $3, 'bs-le', 'đa chấn thương', now() - interval '1 minute', now() + interval '1 hour', 'his-79001')`,
        [randomUUID(), emergencyMerged, PROVINCIAL],
      );
      const unknown = randomUUID();

      const decisions = await point.execute(exchange, [
        query(granted),
        query(granted, { category: 'hiv' }),
        query(withdrawn),
        query(merged, { facilityCode: DISTRICT }),
        query(merged, { facilityCode: PROVINCIAL }),
        query(six),
        query(seven),
        query(emergency, { purpose: 'emergency' }),
        query(emergency, { purpose: 'emergency', facilityCode: HANOI }),
        query(emergencySurvivor, { purpose: 'emergency' }),
        query(emergencyMerged, { purpose: 'emergency' }),
        query(unknown),
        query(granted, { facilityCode: '99999' }),
      ]);
      expect(decisions.map(brief)).toEqual([
        'permit:consent-granted',
        'deny:no-consent',
        'deny:consent-withdrawn',
        'permit:consent-granted',
        'deny:no-consent',
        'permit:consent-granted',
        'deny:child-consent-missing',
        'permit:emergency-access',
        'deny:no-emergency-access',
        'permit:emergency-access',
        'permit:emergency-access',
        'deny:unknown-patient',
        'deny:unknown-facility',
      ]);
      expect(decisions[0]?.obligations).toEqual([{ code: 'exclude-categories', categories: ['hiv', 'mental-health', 'genetics', 'sexual-reproductive-health'] }]);
      expect(decisions[2]?.basis).toEqual([{ consentId: consent, version: 2 }]);
      expect(errors).toEqual([]);
    });

    it('audits every decision in audit_log (who asked, about whom, what was answered), with no name in the row', async () => {
      const point = decisionPoint(redisCache(testInfra().redisUrl));
      const child = await patient();
      const consentId = await record(child, { representative: { subjectBirthDate: '2022-03-01', childConsented: false } });
      await point.execute({ ...exchange, requestId: 'req-audit-1' }, [query(child), query(child, { category: 'genetics' })]);

      const rows = await dataSource.query<{ actor_kind: string; acting_service: string; action: string; outcome: string; detail: Record<string, unknown> }[]>(
        `SELECT actor_kind, acting_service, action, outcome, detail FROM audit_log WHERE patient_id = $1 ORDER BY id`,
        [child],
      );
      expect(rows).toEqual([
        {
          actor_kind: 'service',
          acting_service: 'exchange-service',
          action: 'decision',
          outcome: 'permit',
          detail: expect.objectContaining({ facilityCode: PROVINCIAL, category: 'lab', purpose: 'treatment', reason: 'consent-granted', basis: [{ consentId, version: 1 }] }),
        },
        expect.objectContaining({ outcome: 'deny', detail: expect.objectContaining({ category: 'genetics', reason: 'no-consent', policyVersion: 'law-91-2025' }) }),
      ]);
      expect(JSON.stringify(rows)).not.toContain('Trần');
    });
  });

  describe('the shared cache', () => {
    let redis: ReturnType<typeof createClient>;
    beforeAll(async () => {
      redis = createClient({ url: testInfra().redisUrl });
      await redis.connect();
      closers.push(() => redis.close());
    });
    const cachedKeys = async (id: string) => redis.keys(`consent:state:*:${id}`);

    it('a miss reads Postgres and caches; the next decision is a hit (a change without invalidation is not seen); an invalidation makes the next decision read the truth', async () => {
      const cache = redisCache(testInfra().redisUrl);
      const point = decisionPoint(cache);
      await expectEventually(() => expect(cache.usable).toBe(true));
      const id = await patient();
      const consentId = await record(id);

      expect(await ask(point, id)).toBe('permit:consent-granted');
      expect(await cachedKeys(id)).toHaveLength(1);

      // Written behind the cache's back (no use case does this): the cached state still answers.
      await withdraw(id, consentId, 2);
      expect(await ask(point, id)).toBe('permit:consent-granted');

      await cache.invalidate([id]);
      expect(await ask(point, id)).toBe('deny:consent-withdrawn');
    });

    it('a state read before an invalidation is never stored: the generation refuses the stale put', async () => {
      const cache = redisCache(testInfra().redisUrl);
      await expectEventually(() => expect(cache.usable).toBe(true));
      const id = await patient();
      await record(id);
      const [seen] = await cache.getMany([id]);
      expect(seen?.state).toBeUndefined();
      const [stale] = (await new ConsentStateRepository().load(dataSource, [id])).values();

      await cache.invalidate([id]); // a withdrawal committed meanwhile
      await cache.putMany([{ enterprisePatientId: id, state: stale, generation: seen?.generation ?? null }]);
      expect(await cachedKeys(id)).toEqual([]);
      expect((await cache.getMany([id]))[0]?.state).toBeUndefined();

      // Read after the invalidation: stored.
      const [fresh] = await cache.getMany([id]);
      await cache.putMany([{ enterprisePatientId: id, state: stale, generation: fresh?.generation ?? null }]);
      expect((await cache.getMany([id]))[0]?.state).toEqual(stale);
    });

    it('a commit that signals a change reaches the cache through the LISTENer, with no call from the writer', async () => {
      const cache = redisCache(testInfra().redisUrl);
      const listener = new ConsentChangeListener(config, cache);
      listener.onApplicationBootstrap();
      closers.push(() => listener.onApplicationShutdown());
      await expectEventually(() => expect(listener.listening && cache.usable).toBe(true));
      const point = decisionPoint(cache);
      const id = await patient();
      const consentId = await record(id);
      expect(await ask(point, id)).toBe('permit:consent-granted');

      await withdraw(id, consentId, 2);
      await uow.run(async (tx) => new PgConsentChangeSignal().changed(tx, [id]));
      await expectEventually(async () => expect(await cachedKeys(id)).toEqual([]));
      expect(await ask(point, id)).toBe('deny:consent-withdrawn');
    });
  });

  describe('a private redis-server stopped and restarted under the decision point', () => {
    const dir = mkdtempSync(join(tmpdir(), 'consent-redis-'));
    const url = `redis://127.0.0.1:${PRIVATE_REDIS_PORT}`;
    const pidFile = join(dir, 'redis.pid');
    const startRedis = () =>
      execFileSync('redis-server', ['--port', String(PRIVATE_REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile]);
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(PRIVATE_REDIS_PORT), ...args], { encoding: 'utf8' }).trim();
    const reachable = () =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: PRIVATE_REDIS_PORT });
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
    /** Stops the redis-server this spec started, by its pid (no persistence configured: only an explicit SAVE survives). */
    const stopRedis = async () => {
      if (!(await reachable())) return;
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      await expectEventually(async () => expect(await reachable()).toBe(false), { timeoutMs: 10_000 });
    };

    beforeAll(async () => {
      if (await reachable()) throw new Error(`port ${PRIVATE_REDIS_PORT} is taken: this spec runs its own redis-server there`);
      startRedis();
      await expectEventually(async () => expect(await reachable()).toBe(true), { timeoutMs: 10_000 });
    });
    afterAll(async () => {
      await stopRedis();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stopped: decisions stay correct from Postgres (a withdrawal included); restarted with its old data: the lost invalidation’s entry is unreachable, and decisions are cached again', async () => {
      const cache = redisCache(url);
      const point = decisionPoint(cache);
      await expectEventually(() => expect(cache.usable).toBe(true));
      const id = await patient();
      const consentId = await record(id);
      const other = await patient();
      await record(other, { status: 'refused' });

      expect(await ask(point, id)).toBe('permit:consent-granted');
      expect(cli('KEYS', `consent:state:*:${id}`)).not.toBe('');
      const epochBefore = Number(cli('GET', 'consent:epoch') || '0');
      // The cache's data as it is now survives the restart (a snapshot), stale entry included.
      cli('SAVE');

      await stopRedis();
      await withdraw(id, consentId, 2);
      await cache.invalidate([id]); // cannot reach Redis: remembered
      expect(await ask(point, id)).toBe('deny:consent-withdrawn');
      expect(await ask(point, other)).toBe('deny:consent-refused');
      expect(errors).toEqual([]);

      startRedis();
      await expectEventually(() => expect(cache.usable).toBe(true), { timeoutMs: 15_000 });
      // The snapshot brought the stale "granted" entry back, but the epoch moved past it.
      expect(Number(cli('GET', 'consent:epoch'))).toBeGreaterThan(epochBefore);
      expect(await ask(point, id)).toBe('deny:consent-withdrawn');
      expect(await ask(point, other)).toBe('deny:consent-refused');
      // Cached again under the new epoch, and answered from there.
      const epoch = cli('GET', 'consent:epoch');
      expect(cli('EXISTS', `consent:state:${epoch}:${id}`)).toBe('1');
      expect(await ask(point, id)).toBe('deny:consent-withdrawn');
    });
  });
});
