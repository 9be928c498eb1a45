import type { Decision, DecisionQuery } from '@lienthong/contracts';
import { type AuditEntry, AuditTrail, type Db, type Tx, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { type ConsentStatus, type Grantee } from '../../domain/consent';
import { ConsentErrorCode } from '../../domain/consent-error';
import { type ConsentState, type DefaultPolicy, type FacilityProfile, type StatementView } from '../../domain/decide';
import { type CachedState, ConsentStateCache } from '../../ports/consent-state-cache.port';
import { ConsentStateSource } from '../../ports/consent-state-source.port';
import { FacilityDirectory, type FacilityRecord } from '../../ports/facility-directory.port';
import { DecideUseCase } from './decide.use-case';

// ---- in-memory ports ------------------------------------------------------------------------------

class FakeTx implements Tx {
  readonly pending: AuditEntry[] = [];
  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('no SQL in a unit spec'));
  }
  write(): void {
    throw new Error('the decision point writes only through its ports');
  }
  signal(): void {
    throw new Error('the decision point signals nothing');
  }
}

/** `read` runs the work, then "flushes" what the audit trail queued (or fails there, like a lost database). */
class FakeUnitOfWork extends UnitOfWork {
  flushFails = false;
  reads = 0;
  constructor(private readonly audit: FakeAuditTrail) {
    super();
  }
  run<T>(): Promise<T> {
    throw new Error('the decision point only reads');
  }
  async read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.reads += 1;
    const tx = new FakeTx();
    const result = await work(tx);
    if (this.flushFails) throw Object.assign(new Error('Connection terminated due to connection timeout'), { code: 'ETIMEDOUT' });
    this.audit.committed.push(...tx.pending);
    return result;
  }
}

class FakeAuditTrail extends AuditTrail {
  readonly committed: AuditEntry[] = [];
  readonly actors: Actor[] = [];
  appends = 0;
  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    this.appends += 1;
    this.actors.push(actor);
    (tx as FakeTx).pending.push(...entries);
  }
}

/** The shared cache: an entry per patient, a generation bumped by every invalidation, and a switch to take it down. */
class FakeCache extends ConsentStateCache {
  readonly entries = new Map<string, ConsentState>();
  readonly generations = new Map<string, number>();
  down = false;
  gets = 0;
  puts = 0;
  async getMany(ids: readonly string[]): Promise<CachedState[]> {
    this.gets += 1;
    return ids.map((id) =>
      this.down ? { enterprisePatientId: id, state: undefined, generation: null } : { enterprisePatientId: id, state: this.entries.get(id), generation: String(this.generations.get(id) ?? 0) },
    );
  }
  async putMany(entries: readonly CachedState[]): Promise<void> {
    if (this.down) return;
    for (const e of entries) {
      if (e.state !== undefined && e.generation === String(this.generations.get(e.enterprisePatientId) ?? 0)) {
        this.puts += 1;
        this.entries.set(e.enterprisePatientId, e.state);
      }
    }
  }
  async invalidate(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
      this.entries.delete(id);
    }
  }
}

/** Postgres: the states by id (a merged id maps to its survivor's state), loads counted, and a switch to make it unreadable. */
class FakeTruth extends ConsentStateSource {
  readonly states = new Map<string, ConsentState>();
  readonly loads: string[][] = [];
  unreadable = false;
  async load(_db: Db, ids: readonly string[]): Promise<Map<string, ConsentState>> {
    if (this.unreadable) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    this.loads.push([...ids]);
    return new Map(ids.map((id) => [id, this.states.get(id) ?? { enterprisePatientId: id, known: false, careFacilities: [], versions: [], emergencyAccesses: [] }]));
  }
}

class FakeFacilities extends FacilityDirectory {
  constructor(private readonly known: readonly FacilityProfile[]) {
    super();
  }
  async profiles(_db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    return new Map(this.known.filter((f) => codes.includes(f.code)).map((f) => [f.code, f]));
  }
  upsert(_tx: Tx, _facility: FacilityRecord): void {
    throw new Error('not used');
  }
}

// ---- the world ------------------------------------------------------------------------------------

const NOW = Date.now();
const minutes = (n: number) => n * 60_000;
const years = (n: number) => n * 365.25 * 86_400_000;

const district: FacilityProfile = { code: '79101', level: 'basic', provinceCode: '79' };
const provincial: FacilityProfile = { code: '79001', level: 'specialised', provinceCode: '79' };
const hanoi: FacilityProfile = { code: '01901', level: 'specialised', provinceCode: '01' };
const law91: DefaultPolicy = {
  version: 'law-91-2025',
  effectiveFrom: Date.parse('2026-01-01T00:00:00+07:00'),
  decisions: { treatment: 'deny', emergency: 'deny', referral: 'deny', 'public-health': 'deny', 'research-deidentified': 'deny' },
};

const hospital: Actor = { kind: 'facility', facilityCode: provincial.code, subject: 'his-79001', scopes: [], purposeOfUse: 'treatment' };
const exchange: Actor = { kind: 'service', service: 'exchange-service', subject: 'exchange-service', scopes: [], purposeOfUse: 'treatment' };

let seq = 0;
const patientId = () => `0192bbbb-0000-7000-8000-${String(++seq).padStart(12, '0')}`;

interface Say {
  status?: ConsentStatus;
  purposes?: PurposeOfUse[];
  categories?: DataCategory[];
  grantees?: Grantee[];
  ago?: number;
  until?: number | null;
  consentId?: string;
  version?: number;
  representative?: StatementView['representative'];
}
/** A statement recorded `ago` ms before now (the later in a list, the more recent by default). */
function say(s: Say = {}): StatementView {
  seq += 1;
  const at = NOW - (s.ago ?? minutes(1000 - seq));
  return {
    consentId: s.consentId ?? `0192aaaa-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    version: s.version ?? 1,
    status: s.status ?? 'granted',
    purposes: s.purposes ?? ['treatment'],
    categories: s.categories ?? ['lab'],
    grantees: s.grantees ?? [{ kind: 'any-facility' }],
    validFrom: at,
    validUntil: s.until ?? null,
    recordedAt: at,
    representative: s.representative ?? null,
  };
}
const stored = (truth: FakeTruth, id: string): ConsentState => {
  const state = truth.states.get(id);
  if (state === undefined) throw new Error('no such patient in the fake truth');
  return state;
};
const stateOf = (id: string, versions: StatementView[], extra: Partial<ConsentState> = {}): ConsentState => ({
  enterprisePatientId: id,
  known: true,
  careFacilities: [district.code],
  versions,
  emergencyAccesses: [],
  ...extra,
});

function world() {
  const audit = new FakeAuditTrail();
  const uow = new FakeUnitOfWork(audit);
  const cache = new FakeCache();
  const truth = new FakeTruth();
  const errors: string[] = [];
  const useCase = new DecideUseCase(uow, cache, truth, new FakeFacilities([district, provincial, hanoi]), audit, [law91], { error: (m) => errors.push(m) });
  /** A patient whose consent versions are these, known to the truth. */
  const patient = (versions: StatementView[], extra: Partial<ConsentState> = {}) => {
    const id = patientId();
    truth.states.set(id, stateOf(id, versions, extra));
    return id;
  };
  const query = (id: string, q: Partial<DecisionQuery> = {}): DecisionQuery => ({ enterprisePatientId: id, facilityCode: provincial.code, category: 'lab', purpose: 'treatment', ...q });
  const one = async (id: string, q: Partial<DecisionQuery> = {}, actor: Actor = hospital): Promise<Decision> => {
    const [decision] = await useCase.execute(actor, [query(id, q)]);
    if (decision === undefined) throw new Error('no decision');
    return decision;
  };
  return { audit, uow, cache, truth, errors, useCase, patient, query, one };
}

const brief = (d: Decision) => `${d.decision}:${d.reason}`;

// ---- specs ----------------------------------------------------------------------------------------

describe('DecideUseCase: cache and truth', () => {
  it('a miss reads the truth once, caches the state, and the next decision is answered from the cache', async () => {
    const w = world();
    const id = w.patient([say()]);

    expect(brief(await w.one(id))).toBe('permit:consent-granted');
    expect(w.truth.loads).toEqual([[id]]);
    expect(w.cache.entries.get(id)?.versions).toHaveLength(1);

    expect(brief(await w.one(id))).toBe('permit:consent-granted');
    expect(w.truth.loads).toHaveLength(1);
  });

  it('a cache hit is trusted as the cached state (the truth is not read)', async () => {
    const w = world();
    const id = w.patient([say()]);
    w.cache.entries.set(id, stateOf(id, [say({ status: 'refused' })]));
    expect(brief(await w.one(id))).toBe('deny:consent-refused');
    expect(w.truth.loads).toEqual([]);
  });

  it('after an invalidation the next decision reads the truth again: a withdrawal takes effect at once', async () => {
    const w = world();
    const consentId = '0192cccc-0000-7000-8000-000000000001';
    const grant = say({ consentId, ago: minutes(60) });
    const id = w.patient([grant]);
    expect(brief(await w.one(id))).toBe('permit:consent-granted');

    w.truth.states.set(id, stateOf(id, [grant, say({ consentId, version: 2, status: 'withdrawn', ago: minutes(1) })]));
    await w.cache.invalidate([id]);
    const after = await w.one(id);
    expect(brief(after)).toBe('deny:consent-withdrawn');
    expect(after.basis).toEqual([{ consentId, version: 2 }]);
  });

  it('a state read before an invalidation is not cached (a stale put is refused by the generation)', async () => {
    const w = world();
    const id = w.patient([say()]);
    // The invalidation lands while the truth is being read.
    const load = w.truth.load.bind(w.truth);
    jest.spyOn(w.truth, 'load').mockImplementationOnce(async (db, ids) => {
      const states = await load(db, ids);
      await w.cache.invalidate([id]);
      return states;
    });
    await w.one(id);
    expect(w.cache.entries.has(id)).toBe(false);
  });

  it('with the cache down, every decision is answered correctly from the truth', async () => {
    const w = world();
    const granted = w.patient([say()]);
    const refused = w.patient([say(), say({ status: 'refused' })]);
    w.cache.down = true;

    const decisions = await w.useCase.execute(hospital, [w.query(granted), w.query(refused)]);
    expect(decisions.map(brief)).toEqual(['permit:consent-granted', 'deny:consent-refused']);
    expect(w.truth.loads).toEqual([[granted, refused]]);
    expect(w.errors).toEqual([]);
    expect(w.audit.committed).toHaveLength(2);
  });

  it('with the truth unreadable, every answer is deny consent-unavailable and ONE error line says so, without patient ids', async () => {
    const w = world();
    const a = w.patient([say()]);
    const b = w.patient([say()]);
    w.truth.unreadable = true;

    const decisions = await w.useCase.execute(exchange, [w.query(a), w.query(b), w.query(a, { category: 'imaging' })]);
    expect(decisions).toEqual([0, 1, 2].map(() => ({ decision: 'deny', reason: 'consent-unavailable', basis: [], obligations: [] })));
    expect(w.errors).toHaveLength(1);
    expect(w.errors[0]).toMatch(/consent-unavailable/);
    expect(w.errors[0]).toMatch(/ECONNREFUSED/);
    expect(w.errors[0]).not.toContain(a);
    expect(w.errors[0]).not.toContain(b);
  });

  it('a cached permit that cannot be audited does not leave: deny consent-unavailable', async () => {
    const w = world();
    const id = w.patient([say()]);
    w.cache.entries.set(id, stored(w.truth, id));
    w.uow.flushFails = true;
    expect(brief(await w.one(id))).toBe('deny:consent-unavailable');
    expect(w.errors).toHaveLength(1);
  });
});

describe('DecideUseCase: callers, batches and the audit', () => {
  it('a facility may ask only about its own reads: another facility → Forbidden, nothing decided or audited', async () => {
    const w = world();
    const id = w.patient([say()]);
    await expect(w.useCase.execute(hospital, [w.query(id), w.query(id, { facilityCode: hanoi.code })])).rejects.toMatchObject({ code: ConsentErrorCode.Forbidden });
    expect(w.cache.gets).toBe(0);
    expect(w.audit.committed).toEqual([]);
  });

  it('a person asks nothing, whatever scopes the token holds: Forbidden, nothing read or audited', async () => {
    const w = world();
    const id = w.patient([say()]);
    const analyst: Actor = { kind: 'person', role: 'ministry-analyst', subject: 'analyst-1', scopes: ['lienthong/consent.decide'], purposeOfUse: 'public-health' };
    await expect(w.useCase.execute(analyst, [w.query(id)])).rejects.toMatchObject({ code: ConsentErrorCode.Forbidden });
    expect(w.cache.gets).toBe(0);
    expect(w.audit.committed).toEqual([]);
  });

  it('a service asks about any facility', async () => {
    const w = world();
    const id = w.patient([say({ grantees: [{ kind: 'facilities', facilityCodes: [hanoi.code] }] })]);
    const decisions = await w.useCase.execute(exchange, [w.query(id, { facilityCode: hanoi.code }), w.query(id, { facilityCode: district.code })]);
    expect(decisions.map(brief)).toEqual(['permit:consent-granted', 'deny:no-consent']);
  });

  it('a batch is answered in order, reads the truth once for all misses and audits every decision in one append', async () => {
    const w = world();
    const a = w.patient([say()]);
    const b = w.patient([say({ status: 'refused' })]);
    const c = w.patient([say({ categories: ['imaging'] })]);
    w.cache.entries.set(c, stored(w.truth, c));
    const unknown = patientId();

    const queries = [w.query(a), w.query(b), w.query(c, { category: 'imaging' }), w.query(a, { category: 'imaging' }), w.query(unknown)];
    const decisions = await w.useCase.execute(exchange, queries);

    expect(decisions.map(brief)).toEqual(['permit:consent-granted', 'deny:consent-refused', 'permit:consent-granted', 'deny:no-consent', 'deny:unknown-patient']);
    expect(w.truth.loads).toEqual([[a, b, unknown]]);
    expect(w.audit.appends).toBe(1);
    expect(w.audit.committed.map((e) => [e.patientId, e.outcome, e.detail?.['reason']])).toEqual([
      [a, 'permit', 'consent-granted'],
      [b, 'deny', 'consent-refused'],
      [c, 'permit', 'consent-granted'],
      [a, 'deny', 'no-consent'],
      [unknown, 'deny', 'unknown-patient'],
    ]);
    expect(w.audit.committed[0]?.detail).toMatchObject({ facilityCode: provincial.code, category: 'lab', purpose: 'treatment', basis: [{ consentId: expect.any(String), version: 1 }] });
    expect(w.audit.committed[3]?.detail).toMatchObject({ policyVersion: 'law-91-2025' });
    expect(w.audit.actors).toEqual([exchange]);
  });

  it('a merged id is answered from its survivor’s consents, and is not cached under the merged id', async () => {
    const w = world();
    const survivor = w.patient([say()]);
    const merged = patientId();
    w.truth.states.set(merged, stored(w.truth, survivor));

    expect(brief(await w.one(merged))).toBe('permit:consent-granted');
    expect(w.cache.entries.has(merged)).toBe(false);
    expect(w.audit.committed[0]).toMatchObject({ patientId: merged, detail: { answeredFor: survivor } });
  });

  it('upper-case ids are the same patient', async () => {
    const w = world();
    const id = w.patient([say()]);
    expect(brief(await w.one(id.toUpperCase()))).toBe('permit:consent-granted');
  });
});

describe('DecideUseCase: the rules, as a caller sees them through the decision point', () => {
  const birthDate = (age: number) => new Date(NOW - years(age) - 30 * 86_400_000).toISOString().slice(0, 10);
  const cases: { name: string; versions: () => StatementView[]; extra?: Partial<ConsentState>; query?: Partial<DecisionQuery>; expect: string }[] = [
    { name: 'a grant permits', versions: () => [say()], expect: 'permit:consent-granted' },
    { name: 'no consent → the default policy denies', versions: () => [], expect: 'deny:no-consent' },
    { name: 'a refusal after a grant wins', versions: () => [say(), say({ status: 'refused' })], expect: 'deny:consent-refused' },
    { name: 'a withdrawal beats an earlier grant', versions: () => [say(), say({ status: 'withdrawn' })], expect: 'deny:consent-withdrawn' },
    { name: 'a later grant beats an earlier refusal', versions: () => [say({ status: 'refused' }), say()], expect: 'permit:consent-granted' },
    {
      name: 'a grant never widens another (imaging to all + lab to the district ≠ lab to the province)',
      versions: () => [say({ categories: ['imaging'] }), say({ grantees: [{ kind: 'facilities', facilityCodes: [district.code] }] })],
      expect: 'deny:no-consent',
    },
    {
      name: 'the latest version of a consent wins (v2 narrows v1 to the district)',
      versions: () => [
        say({ consentId: '0192dddd-0000-7000-8000-000000000001', version: 1 }),
        say({ consentId: '0192dddd-0000-7000-8000-000000000001', version: 2, grantees: [{ kind: 'facilities', facilityCodes: [district.code] }] }),
      ],
      expect: 'deny:no-consent',
    },
    { name: 'care relationship: the district where the patient is registered', versions: () => [say({ grantees: [{ kind: 'care-relationship' }] })], query: { facilityCode: district.code }, expect: 'permit:consent-granted' },
    { name: 'a sensitive category is not covered unless named', versions: () => [say({ categories: ['lab'] })], query: { category: 'hiv' }, expect: 'deny:no-consent' },
    { name: 'a sensitive category named explicitly', versions: () => [say({ categories: ['hiv'] })], query: { category: 'hiv' }, expect: 'permit:consent-granted' },
    { name: 'an expired grant', versions: () => [say({ ago: minutes(120), until: NOW - minutes(1) })], expect: 'deny:consent-expired' },
    { name: 'a grant asked about before it was recorded (at)', versions: () => [say({ ago: minutes(10) })], query: { at: new Date(NOW - minutes(20)).toISOString() }, expect: 'deny:no-consent' },
    { name: 'minor aged 6, representative alone', versions: () => [say({ representative: { subjectBirthDate: birthDate(6), childConsented: false } })], expect: 'permit:consent-granted' },
    { name: 'minor aged 7, representative alone', versions: () => [say({ representative: { subjectBirthDate: birthDate(7), childConsented: false } })], expect: 'deny:child-consent-missing' },
    { name: 'emergency without break-the-glass', versions: () => [say({ purposes: ['emergency'] })], query: { purpose: 'emergency' }, expect: 'deny:no-emergency-access' },
    {
      name: 'emergency with break-the-glass at this facility',
      versions: () => [],
      extra: { emergencyAccesses: [{ id: '0192eeee-0000-7000-8000-000000000001', facilityCode: provincial.code, grantedAt: NOW - minutes(5), expiresAt: NOW + minutes(55) }] },
      query: { purpose: 'emergency' },
      expect: 'permit:emergency-access',
    },
    { name: 'an unknown reading facility', versions: () => [say()], query: { facilityCode: '99999' }, expect: 'deny:unknown-facility' },
  ];

  it.each(cases)('$name → $expect', async (c) => {
    const w = world();
    const id = w.patient(c.versions(), c.extra);
    const actor: Actor = c.query?.facilityCode !== undefined ? exchange : hospital;
    expect(brief(await w.one(id, c.query, actor))).toBe(c.expect);
  });

  it('a permit on ordinary data carries the obligation to leave out the sensitive categories not named', async () => {
    const w = world();
    const id = w.patient([say({ categories: ['lab', 'mental-health'] })]);
    const decision = await w.one(id);
    expect(decision.obligations).toEqual([{ code: 'exclude-categories', categories: expect.arrayContaining(['hiv', 'genetics']) }]);
    expect(decision.obligations[0]?.categories).not.toContain('mental-health');
  });
});
