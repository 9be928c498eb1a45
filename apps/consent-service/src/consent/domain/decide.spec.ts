import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { type ConsentStatus, type Grantee } from './consent';
import { type ConsentState, decide, type DefaultPolicy, type FacilityProfile, type StatementView } from './decide';

const T0 = Date.parse('2026-06-01T08:00:00+07:00');
const minutes = (n: number) => n * 60_000;
const days = (n: number) => n * 86_400_000;

const district: FacilityProfile = { code: '79101', level: 'basic', provinceCode: '79' };
const provincial: FacilityProfile = { code: '79001', level: 'specialised', provinceCode: '79' };
const hanoi: FacilityProfile = { code: '01901', level: 'specialised', provinceCode: '01' };

const law91: DefaultPolicy = { version: 'law-91-2025', effectiveFrom: Date.parse('2026-01-01T00:00:00+07:00'), decisions: { treatment: 'deny', emergency: 'deny', referral: 'deny', 'public-health': 'deny', 'research-deidentified': 'deny' } };
const policies: DefaultPolicy[] = [law91];

let seq = 0;
interface Say {
  status?: ConsentStatus;
  purposes?: PurposeOfUse[];
  categories?: DataCategory[];
  grantees?: Grantee[];
  at?: number;
  until?: number | null;
  consentId?: string;
  version?: number;
  representative?: StatementView['representative'];
}
/** One statement by the patient, recorded at `at` (minutes after T0 by default order). */
function say(s: Say = {}): StatementView {
  seq += 1;
  const at = s.at ?? T0 + minutes(seq);
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

function state(versions: StatementView[], extra: Partial<ConsentState> = {}): ConsentState {
  return { enterprisePatientId: '0192bbbb-0000-7000-8000-000000000001', known: true, careFacilities: [district.code], versions, emergencyAccesses: [], ...extra };
}

const ask = (s: ConsentState, q: { facility?: FacilityProfile; category?: DataCategory; purpose?: PurposeOfUse; at?: number } = {}) => {
  const facility = q.facility ?? provincial;
  return decide(s, { facility, facilityCode: facility.code, category: q.category ?? 'lab', purpose: q.purpose ?? 'treatment', at: q.at ?? T0 + days(1) }, policies);
};

describe('overlapping consents: which statement decides', () => {
  const g = (over: Say = {}) => say(over);
  const cases: { name: string; versions: () => StatementView[]; expect: string; query?: Parameters<typeof ask>[1] }[] = [
    { name: 'a grant alone permits', versions: () => [g()], expect: 'permit:consent-granted' },
    { name: 'nothing recorded → the default policy (deny), with its version', versions: () => [], expect: 'deny:no-consent' },
    { name: 'a refusal after a grant for the same purpose and category wins', versions: () => [g(), say({ status: 'refused' })], expect: 'deny:consent-refused' },
    {
      name: 'a narrower refusal (this facility only) still beats an earlier broad grant for that facility',
      versions: () => [g(), say({ status: 'refused', grantees: [{ kind: 'facilities', facilityCodes: [provincial.code] }] })],
      expect: 'deny:consent-refused',
    },
    {
      name: '… and leaves other facilities to the grant',
      versions: () => [g(), say({ status: 'refused', grantees: [{ kind: 'facilities', facilityCodes: [provincial.code] }] })],
      query: { facility: hanoi },
      expect: 'permit:consent-granted',
    },
    { name: 'a withdrawal beats an earlier grant of another consent for the same scope', versions: () => [g(), g(), say({ status: 'withdrawn' })], expect: 'deny:consent-withdrawn' },
    { name: 'a later grant beats an earlier refusal', versions: () => [say({ status: 'refused' }), g()], expect: 'permit:consent-granted' },
    { name: 'a refusal for another purpose does not touch this one', versions: () => [g(), say({ status: 'refused', purposes: ['research-deidentified'] })], expect: 'permit:consent-granted' },
    { name: 'a refusal of another category does not touch this one', versions: () => [g(), say({ status: 'refused', categories: ['imaging'] })], expect: 'permit:consent-granted' },
    {
      name: 'a grant never widens another: imaging to any facility + lab to the district does not give the province lab',
      versions: () => [g({ categories: ['imaging'] }), g({ grantees: [{ kind: 'facilities', facilityCodes: [district.code] }] })],
      expect: 'deny:no-consent',
    },
    {
      name: 'the latest version of a consent replaces its scope: v2 without lab no longer permits lab',
      versions: () => [g({ consentId: '0192cccc-0000-7000-8000-000000000001', version: 1 }), g({ consentId: '0192cccc-0000-7000-8000-000000000001', version: 2, categories: ['imaging'] })],
      expect: 'deny:no-consent',
    },
    {
      name: 'withdrawing v2 of a consent denies even what v1 allowed',
      versions: () => [
        g({ consentId: '0192cccc-0000-7000-8000-000000000002', version: 1 }),
        say({ consentId: '0192cccc-0000-7000-8000-000000000002', version: 2, status: 'withdrawn' }),
      ],
      expect: 'deny:consent-withdrawn',
    },
    {
      name: 'a refusal and a grant recorded at the same instant: deny',
      versions: () => [g({ at: T0 + minutes(500) }), say({ status: 'refused', at: T0 + minutes(500) })],
      expect: 'deny:consent-refused',
    },
    { name: 'a grant whose period ended: deny, and says so', versions: () => [g({ until: T0 + days(1) - 1 })], expect: 'deny:consent-expired' },
    { name: 'a grant not yet valid at the time asked: default', versions: () => [g({ at: T0 + days(2) })], expect: 'deny:no-consent' },
    {
      name: 'the grantee by level covers a specialised hospital, not a basic one',
      versions: () => [g({ grantees: [{ kind: 'levels', levels: ['specialised'] }] })],
      query: { facility: district },
      expect: 'deny:no-consent',
    },
    { name: 'the grantee by province', versions: () => [g({ grantees: [{ kind: 'province', provinceCode: '01' }] })], query: { facility: hanoi }, expect: 'permit:consent-granted' },
    { name: 'the care relationship: where the patient is registered', versions: () => [g({ grantees: [{ kind: 'care-relationship' }] })], query: { facility: district }, expect: 'permit:consent-granted' },
    { name: 'the care relationship does not reach a facility the patient never visited', versions: () => [g({ grantees: [{ kind: 'care-relationship' }] })], expect: 'deny:no-consent' },
    { name: 'a decision about the past uses only what was recorded by then', versions: () => [g({ at: T0 }), say({ status: 'refused', at: T0 + days(3) })], query: { at: T0 + days(1) }, expect: 'permit:consent-granted' },
  ];

  it.each(cases)('$name', ({ versions, query, expect: expected }) => {
    const d = ask(state(versions()), query);
    expect(`${d.decision}:${d.reason}`).toBe(expected);
  });

  it('names the versions it rests on, and the policy version when no consent spoke', () => {
    const grant = say();
    expect(ask(state([grant])).basis).toEqual([{ consentId: grant.consentId, version: 1 }]);
    expect(ask(state([]))).toMatchObject({ decision: 'deny', reason: 'no-consent', basis: [], policyVersion: 'law-91-2025' });
  });

  it('uses the policy version in effect at the time asked, not a later one', () => {
    const later: DefaultPolicy = { ...law91, version: 'decree-2027', effectiveFrom: T0 + days(10), decisions: { ...law91.decisions, 'public-health': 'permit' } };
    const s = state([]);
    const at = (t: number) => decide(s, { facility: provincial, facilityCode: provincial.code, category: 'lab', purpose: 'public-health', at: t }, [...policies, later]);
    expect(at(T0 + days(9))).toMatchObject({ decision: 'deny', policyVersion: 'law-91-2025' });
    expect(at(T0 + days(11))).toMatchObject({ decision: 'permit', reason: 'default-policy', policyVersion: 'decree-2027' });
  });
});

describe('sensitive categories', () => {
  it('are never covered by an ordinary grant: lab does not reach HIV', () => {
    expect(ask(state([say({ categories: ['lab', 'imaging'] })]), { category: 'hiv' })).toMatchObject({ decision: 'deny', reason: 'no-consent' });
  });

  it('are permitted when named', () => {
    expect(ask(state([say({ categories: ['lab', 'hiv'] })]), { category: 'hiv' })).toMatchObject({ decision: 'permit', reason: 'consent-granted' });
  });

  it('a permit on ordinary data obliges the reader to leave out every sensitive category not named', () => {
    expect(ask(state([say({ categories: ['lab', 'mental-health'] })])).obligations).toEqual([
      { code: 'exclude-categories', categories: ['hiv', 'genetics', 'sexual-reproductive-health'] },
    ]);
    expect(ask(state([say({ categories: ['lab', 'hiv', 'mental-health', 'genetics', 'sexual-reproductive-health'] })])).obligations).toEqual([]);
  });
});

describe('minors and representatives', () => {
  const child = (birthDate: string, childConsented = false) => state([say({ at: Date.parse('2026-01-05T09:00:00+07:00'), representative: { subjectBirthDate: birthDate, childConsented } })]);
  const at = Date.parse('2026-06-01T10:00:00+07:00');

  it('age 6, representative alone → permit', () => {
    expect(ask(child('2019-06-02'), { at })).toMatchObject({ decision: 'permit', reason: 'consent-granted' });
  });

  it('age 7 (the birthday itself, Vietnam time), representative alone → deny child-consent-missing', () => {
    expect(ask(child('2019-06-01'), { at })).toMatchObject({ decision: 'deny', reason: 'child-consent-missing' });
  });

  it('age 7 with the child’s own consent recorded too → permit', () => {
    expect(ask(child('2019-06-01', true), { at })).toMatchObject({ decision: 'permit', reason: 'consent-granted' });
  });

  it('counts the birthday in Vietnam: 23:30 UTC on 31 May is already 1 June there', () => {
    expect(ask(child('2019-06-01'), { at: Date.parse('2026-05-31T23:30:00Z') })).toMatchObject({ reason: 'child-consent-missing' });
    expect(ask(child('2019-06-01'), { at: Date.parse('2026-05-31T16:30:00Z') })).toMatchObject({ reason: 'consent-granted' });
  });
});

describe('emergencies and unknowns', () => {
  const access = { id: '0192dddd-0000-7000-8000-000000000001', facilityCode: provincial.code, grantedAt: T0 + days(1) - minutes(5), expiresAt: T0 + days(1) + minutes(55) };

  it('ordinary data in an emergency only through break-the-glass, for that facility and period', () => {
    const s = state([], { emergencyAccesses: [access] });
    expect(ask(s, { purpose: 'emergency' })).toMatchObject({ decision: 'permit', reason: 'emergency-access', emergencyAccessId: access.id });
    expect(ask(s, { purpose: 'emergency', facility: hanoi })).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
    expect(ask(s, { purpose: 'emergency', at: access.expiresAt })).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
    // A treatment grant is not an emergency access, and an emergency access is not a treatment grant.
    expect(ask(state([say()]), { purpose: 'emergency' })).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
    expect(ask(s, { purpose: 'treatment' })).toMatchObject({ decision: 'deny', reason: 'no-consent' });
  });

  it('break-the-glass beats a refusal (the law’s exception for life and health) but not for sensitive data', () => {
    const s = state([say({ status: 'refused', purposes: ['emergency', 'treatment'] })], { emergencyAccesses: [access] });
    expect(ask(s, { purpose: 'emergency' })).toMatchObject({ decision: 'permit', reason: 'emergency-access', obligations: [{ code: 'exclude-categories' }] });
    expect(ask(s, { purpose: 'emergency', category: 'hiv' })).toMatchObject({ decision: 'deny' });
  });

  it('an unknown patient or an unknown facility is denied with the reason', () => {
    expect(ask(state([say()], { known: false }))).toMatchObject({ decision: 'deny', reason: 'unknown-patient' });
    expect(decide(state([say()]), { facility: undefined, facilityCode: '79999', category: 'lab', purpose: 'treatment', at: T0 + days(1) }, policies)).toMatchObject({
      decision: 'deny',
      reason: 'unknown-facility',
    });
  });
});
