/**
 * The `npm start` demo: a synthetic slice of Hà Nội whose hospitals register their patients with the
 * running identity-service, the way their HIS would. Patients first visit a commune station or a
 * former district hospital; some are referred to the city hospital, a few onward to Bạch Mai
 * (central). Each facility types the patient in its own way (missing CCCD, no diacritics, a typo…),
 * and the master patient index links, queues for review, or creates.
 * Then the patients speak to consent-service at the desk where they registered: most grant treatment
 * and referral sharing, some refuse, some withdraw later, two children come with a parent, and one
 * emergency is declared; the demo asks the decision point a few questions and prints its answers.
 * Last, the first-contact facilities send lab-results-service the MoH XML 130 their HIS already produces
 * for those visits; the referred patients arrive at Thanh Nhàn, whose reuse check reuses the results
 * still valid (from XML alone: the window runs from NGAY_TH_YL) and repeats the others with their
 * reasons; the doctors' decisions are recorded and the demo prints the tests and VND avoided.
 *   node scripts/run-ts.cjs scripts/demo.ts [--patients 200] [--url http://127.0.0.1:3001] [--consent-url http://127.0.0.1:3004] [--lab-url http://127.0.0.1:3003]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { exactRecord, makeVariant, PopulationGenerator, SeededRandom, type ObservedPatientRecord, type SyntheticPerson } from '@lienthong/synthetic';
import { buildXml130File, type Xml130FieldsInput, type Xml130VisitInput } from '@lienthong/xml130';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? '', process.argv[i + 1] ?? '');
const BASE = args.get('--url') ?? process.env['IDENTITY_URL'] ?? 'http://127.0.0.1:3001';
const CONSENT = args.get('--consent-url') ?? process.env['CONSENT_URL'] ?? 'http://127.0.0.1:3004';
const LAB = args.get('--lab-url') ?? process.env['LAB_URL'] ?? 'http://127.0.0.1:3003';
const PATIENTS = Number(args.get('--patients') ?? 200);
/** Re-running the demo re-registers the same people (outcome `updated`); keys are per run. */
const RUN = Date.now().toString(36);

const FIRST_CONTACT = ['01904', '01903', '01905']; // TTYT khu vực Sóc Sơn, BV Đống Đa, TYT xã Phù Linh
const CITY = '01902'; // Bệnh viện Thanh Nhàn
const CENTRAL = '01901'; // Bệnh viện Bạch Mai

/** A development token (scripts/token.cjs), minted once per principal and scope. */
const tokens = new Map<string, string>();
function token(facility: string, scope: string): string {
  return mint(['--facility', facility, '--sub', `his-${facility}`], scope);
}
function serviceToken(service: string, scope: string): string {
  return mint(['--service', service], scope);
}
function mint(principal: readonly string[], scope: string): string {
  const key = `${principal.join(' ')}|${scope}`;
  let t = tokens.get(key);
  if (!t) {
    t = execFileSync(process.execPath, ['scripts/token.cjs', ...principal, '--scope', scope], { encoding: 'utf8' }).trim();
    tokens.set(key, t);
  }
  return t;
}
const writerToken = (facility: string) => token(facility, 'system/Patient.cu system/Patient.rs');

function birthDate(record: ObservedPatientRecord): string | undefined {
  const d = record.birthDate;
  if (!d) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return [String(d.year), d.month === undefined ? undefined : pad(d.month), d.day === undefined ? undefined : pad(d.day)]
    .filter((p): p is string => p !== undefined)
    .join('-');
}

function body(record: ObservedPatientRecord, localId: string) {
  return {
    localId,
    fullName: record.name,
    birthDate: birthDate(record),
    sex: record.sex === 'male' ? 1 : record.sex === 'female' ? 2 : 3,
    address: { provinceCode: record.provinceCode, communeCode: record.communeCode },
    phone: record.phone,
    identifiers: [
      ...(record.cccd ? [{ system: 'cccd', value: record.cccd }] : []),
      ...(record.bhytCode ? [{ system: 'bhyt', value: record.bhytCode }] : []),
    ],
  };
}

interface Registered {
  enterprisePatientId: string;
  outcome: string;
}

async function register(facility: string, localId: string, record: ObservedPatientRecord): Promise<Registered> {
  const response = await fetch(`${BASE}/v1/patients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writerToken(facility)}`, 'content-type': 'application/json', 'idempotency-key': `demo-${RUN}-${facility}-${localId}` },
    body: JSON.stringify(body(record, localId)),
  });
  if (!response.ok) throw new Error(`register at ${facility}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Registered;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** The people the demo registers, where each first came, and the enterprise id identity gave them there. */
interface Patient {
  readonly person: SyntheticPerson;
  readonly facility: string;
  readonly enterprisePatientId: string;
}

async function main(): Promise<void> {
  // Đống Đa's lab passed its Decision 2429 re-assessment: level 3, as Thanh Nhàn's. The registry change
  // reaches lab-results-service (identity.facility.v1) long before the referral checks below need it.
  await rateLab(DONG_DA, '3');
  const rng = new SeededRandom(2027);
  const population = new PopulationGenerator({ seed: 2027 });
  const people = Array.from({ length: PATIENTS }, () => population.person()).filter((p) => p.cccd !== undefined || rng.next() < 0.5);
  const tally = new Map<string, number>();
  const count = (stage: string, outcome: string) => tally.set(`${stage}|${outcome}`, (tally.get(`${stage}|${outcome}`) ?? 0) + 1);
  const truth = new Map<string, string>(); // synthetic person id -> enterprise id at first contact
  const firstFacility = new Map<string, string>();
  /** Referred people whose registration at Thanh Nhàn found the enterprise id of their first contact. */
  const linkedAtCity = new Set<string>();
  let sameIdentity = 0;
  let referrals = 0;
  const started = Date.now();

  await inBatches(people, 8, async (person) => {
    const facility = FIRST_CONTACT[rng.int(0, FIRST_CONTACT.length - 1)] ?? '01904';
    const first = await register(facility, `BN${person.id}`, exactRecord(person));
    count('first visit', first.outcome);
    truth.set(person.id, first.enterprisePatientId);
    firstFacility.set(person.id, facility);
  });

  const referred = people.filter(() => rng.next() < 0.4);
  await inBatches(referred, 8, async (person) => {
    referrals += 1;
    const seenAtCity = makeVariant(person, rng).record;
    const city = await register(CITY, `TN-${person.id}`, seenAtCity);
    count('referral to Thanh Nhàn', city.outcome);
    if (city.enterprisePatientId === truth.get(person.id)) {
      sameIdentity += 1;
      linkedAtCity.add(person.id);
    }
    if (rng.next() < 0.25) {
      referrals += 1;
      const central = await register(CENTRAL, `BM-${person.id}`, makeVariant(person, rng, { noiseCount: [0, 1] }).record);
      count('referral to Bạch Mai', central.outcome);
      if (central.enterprisePatientId === truth.get(person.id)) sameIdentity += 1;
    }
  });

  const seconds = (Date.now() - started) / 1000;
  console.log(`\nLiên Thông demo — ${people.length} patients, ${referrals} referrals registered in ${seconds.toFixed(1)} s\n`);
  console.log('stage                      outcome   count');
  for (const [key, n] of [...tally.entries()].sort()) {
    const [stage = '', outcome = ''] = key.split('|');
    console.log(`${stage.padEnd(26)} ${outcome.padEnd(9)} ${String(n).padStart(5)}`);
  }
  console.log(`\nreferrals resolved to the patient's existing enterprise id: ${sameIdentity}/${referrals}`);

  const example = referred[0];
  if (example) {
    const id = truth.get(example.id) ?? '';
    const crossref = token(CENTRAL, 'system/Patient.rs lienthong/patient.crossref');
    const pix = await fetch(`${BASE}/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`https://lienthong.vn/fhir/sid/local/01902|TN-${example.id}`)}`, {
      headers: { authorization: `Bearer ${crossref}` },
    });
    console.log(`\nIHE PIXm for one referred patient (${id}) as Bạch Mai sees it: HTTP ${pix.status}`);
    console.log(JSON.stringify(await pix.json(), null, 2).slice(0, 1200));
  }
  const steward = token('01000', 'lienthong/mpi.steward');
  const review = await fetch(`${BASE}/v1/review-items?status=open`, { headers: { authorization: `Bearer ${steward}` } });
  const items = (await review.json()) as { items?: unknown[] };
  console.log(`\nopen review items for data stewards: ${items.items?.length ?? 'n/a'} (GET ${BASE}/v1/review-items)`);
  console.log(`OpenAPI: ${BASE}/docs`);

  // Two children vaccinated at the commune station, each brought by a parent: one aged 6, one aged 8.
  const children: Patient[] = [];
  for (const age of [6, 8]) {
    const child = childAged(population, age);
    const registered = await register(CHILD_CLINIC, `TE-${child.id}`, exactRecord(child));
    children.push({ person: child, facility: CHILD_CLINIC, enterprisePatientId: registered.enterprisePatientId });
  }
  const patients = people.map((person) => ({ person, facility: firstFacility.get(person.id) ?? '', enterprisePatientId: truth.get(person.id) ?? '' }));
  const consents = await consentDemo(uniquePatients(patients), children);
  await labDemo(uniquePatients(patients), new Set(referred.filter((p) => linkedAtCity.has(p.id)).map((p) => truth.get(p.id) ?? '')), consents);
}

// ---------------------------------------------------------------------------------------------
// consent-service: the patients give, refuse and withdraw consents; the decision point answers.

const CHILD_CLINIC = '01905'; // Trạm Y tế xã Phù Linh
const FAR_AWAY = '79901'; // Bệnh viện Chợ Rẫy (Hồ Chí Minh City): no relationship with these patients
const HA_NOI = '01';
const SHARED_CATEGORIES = ['lab', 'imaging', 'encounters'] as const;
/** The service principal the demo asks the decision point as (what lab-results or the exchange would be). */
const DECIDER = 'lienthong-demo';

/** One enterprise id once (a false link at identity can give two synthetic people one id). */
function uniquePatients(patients: readonly Patient[]): Patient[] {
  const seen = new Set<string>();
  return patients.filter((p) => !seen.has(p.enterprisePatientId) && seen.add(p.enterprisePatientId));
}

/** Completed years on the Vietnamese calendar today. */
function ageToday(birth: { year: number; month?: number; day?: number }): number | undefined {
  if (birth.month === undefined || birth.day === undefined) return undefined;
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  const md = `${String(birth.month).padStart(2, '0')}-${String(birth.day).padStart(2, '0')}`;
  const years = Number(today.slice(0, 4)) - birth.year;
  return today.slice(5) < md ? years - 1 : years;
}

/** The next person the same generator makes (so identifiers stay unique) who is `age` today. */
function childAged(population: PopulationGenerator, age: number): SyntheticPerson {
  for (let i = 0; i < 100_000; i += 1) {
    const p = population.person();
    if (ageToday(p.birthDate) === age) return p;
  }
  throw new Error(`no synthetic child aged ${age}`);
}

type Evidence = Record<string, unknown>;
/** How the desk captured the patient's word: the four channels Law 91/2025 evidence can take. */
function evidence(rng: SeededRandom, patient: Patient, what: string): Evidence {
  const recordedBy = `NV${String(rng.int(1, 400)).padStart(4, '0')}`; // the staff member's HIS id, never a name
  const channel = rng.weighted(['in-person', 'signed-paper', 'vneid', 'sms-code'] as const, (c) => ({ 'in-person': 4, 'signed-paper': 3, vneid: 2, 'sms-code': 1 })[c]);
  const base = { channel, recordedBy, informedOfSensitivity: true };
  switch (channel) {
    case 'signed-paper':
      // The scan itself stays at the facility; consent-service keeps its SHA-256.
      return { ...base, documentSha256: createHash('sha256').update(`scan:${patient.facility}:${patient.person.id}:${what}:${RUN}`).digest('hex') };
    case 'vneid':
      return { ...base, reference: `VNEID-${RUN}-${rng.digits(10)}` };
    case 'sms-code':
      return { ...base, reference: `SMS-${RUN}-${rng.digits(8)}` };
    default:
      return base;
  }
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(method: string, path: string, bearer: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${CONSENT}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** consent-service learns patients from identity's events: a 422 on `#/enterprisePatientId` means "not yet". */
function unknownPatient(answer: Answer): boolean {
  const errors = answer.body['errors'];
  return answer.status === 422 && Array.isArray(errors) && errors.length > 0 && errors.every((e: { pointer?: string }) => e.pointer === '#/enterprisePatientId');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LEARN_DEADLINE_MS = 60_000;
/** The longest any request waited for consent-service to learn its patient. */
let longestWaitMs = 0;

/** POSTs `body`, waiting (bounded) while consent-service has not yet heard of the patient. */
async function untilKnown(what: string, send: () => Promise<Answer>): Promise<Answer> {
  const started = Date.now();
  const deadline = started + LEARN_DEADLINE_MS;
  for (;;) {
    const answer = await send();
    if (!unknownPatient(answer)) {
      longestWaitMs = Math.max(longestWaitMs, Date.now() - started);
      if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer;
    }
    if (Date.now() > deadline) throw new Error(`${what}: consent-service did not learn the patient from identity events within ${LEARN_DEADLINE_MS / 1000} s`);
    await sleep(250);
  }
}

interface Recorded {
  readonly consentId: string;
  readonly version: number;
}

async function record(patient: Patient, decision: 'grant' | 'refuse', scope: Record<string, unknown>, ev: Evidence, representative?: Record<string, unknown>): Promise<Recorded> {
  const body = { enterprisePatientId: patient.enterprisePatientId, decision, scope, evidence: ev, ...(representative ? { representative } : {}) };
  const bearer = token(patient.facility, 'system/Consent.c');
  const answer = await untilKnown(`consent at ${patient.facility}`, () => call('POST', '/v1/consents', bearer, body));
  return { consentId: String(answer.body['consentId']), version: Number(answer.body['currentVersion']) };
}

async function withdraw(patient: Patient, consent: Recorded, ev: Evidence): Promise<void> {
  const answer = await call('POST', `/v1/consents/${consent.consentId}/withdrawal`, token(patient.facility, 'system/Consent.c'), { evidence: ev });
  if (answer.status >= 300) throw new Error(`withdrawal: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}

interface Decision {
  readonly decision: string;
  readonly reason: string;
  readonly basis: readonly unknown[];
  readonly obligations: readonly { code: string; categories: readonly string[] }[];
  readonly policyVersion?: string;
}

async function decide(patient: Patient, facilityCode: string, category: string, purpose: string): Promise<Decision> {
  const answer = await call('POST', '/v1/decisions', serviceToken(DECIDER, 'lienthong/consent.decide'), {
    enterprisePatientId: patient.enterprisePatientId,
    facilityCode,
    category,
    purpose,
  });
  if (answer.status !== 200) throw new Error(`decision: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as unknown as Decision;
}

/** Whose consent lets facilities treating them (or all of Hà Nội) read their lab and imaging results for a referral, and whose does not. */
interface ConsentOutcome {
  readonly sharing: ReadonlySet<string>;
  readonly notSharing: ReadonlySet<string>;
}

async function consentDemo(patients: readonly Patient[], children: readonly Patient[]): Promise<ConsentOutcome> {
  const rng = new SeededRandom(91);
  const started = Date.now();
  const inYears = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600_000).toISOString();
  const sharing = (grantee: Record<string, unknown>, validUntil: string | null) => ({
    purposes: ['treatment', 'referral'],
    categories: [...SHARED_CATEGORIES],
    grantees: [grantee],
    validUntil, // from now (the server's clock) until then, or until withdrawn
  });

  // Most grant treatment and referral sharing (to the facilities that treat them, or to all of Hà Nội),
  // some refuse, a few say nothing (the law's default: deny).
  type Said = { patient: Patient; said: 'granted'; consent: Recorded; grantee: string } | { patient: Patient; said: 'refused' | 'nothing' };
  const said: Said[] = [];
  await inBatches([...patients.entries()], 8, async ([i, patient]) => {
    const r = rng.next();
    if (r < 0.78) {
      const grantee = r < 0.55 ? { kind: 'care-relationship' } : { kind: 'province', provinceCode: HA_NOI };
      const consent = await record(patient, 'grant', sharing(grantee, rng.chance(0.3) ? inYears(1) : null), evidence(rng, patient, 'grant'));
      said[i] = { patient, said: 'granted', consent, grantee: grantee.kind };
    } else if (r < 0.9) {
      await record(patient, 'refuse', sharing({ kind: 'any-facility' }, null), evidence(rng, patient, 'refusal'));
      said[i] = { patient, said: 'refused' };
    } else {
      said[i] = { patient, said: 'nothing' };
    }
  });
  const granted = said.flatMap((s) => (s.said === 'granted' ? [s] : []));
  const refused = said.flatMap((s) => (s.said === 'refused' ? [s.patient] : []));
  const silent = said.flatMap((s) => (s.said === 'nothing' ? [s.patient] : []));
  const recordedIn = (Date.now() - started) / 1000;

  // The children: a parent consents for both; only the 8-year-old is old enough to be asked too (Law 91/2025, art. 24) — and was not.
  const childConsents: Recorded[] = [];
  for (const child of children) {
    const b = child.person.birthDate;
    const subjectBirthDate = `${b.year}-${String(b.month).padStart(2, '0')}-${String(b.day).padStart(2, '0')}`;
    const parent = { relationship: 'parent', name: `${child.person.family} Thị Hoa`, subjectBirthDate, childConsented: false };
    childConsents.push(await record(child, 'grant', sharing({ kind: 'care-relationship' }, null), evidence(rng, child, 'grant'), parent));
  }

  const byCare = granted.filter((g) => g.grantee === 'care-relationship');
  const byProvince = granted.find((g) => g.grantee === 'province');
  const [sharer, changesMind, ...others] = byCare;
  const outcome = (withdrawn: readonly Patient[]): ConsentOutcome => {
    const notSharing = new Set([...refused, ...silent, ...withdrawn].map((p) => p.enterprisePatientId));
    return { sharing: new Set(granted.map((g) => g.patient.enterprisePatientId).filter((id) => !notSharing.has(id))), notSharing };
  };
  if (!sharer || !changesMind || !byProvince || refused.length === 0) {
    console.log('\nconsent demo: too few patients for every case (try --patients 50 or more)');
    return outcome([]);
  }

  // Some withdraw later (one of them live, below, between two decisions).
  const withdrawers = others.filter(() => rng.chance(0.15));
  await inBatches(withdrawers, 8, (g) => withdraw(g.patient, g.consent, evidence(rng, g.patient, 'withdrawal')));

  const rows: [string, Patient, string, string, string, Decision][] = [];
  const ask = async (situation: string, patient: Patient, facility: string, category: string, purpose: string) =>
    rows.push([situation, patient, facility, category, purpose, await decide(patient, facility, category, purpose)]);

  await ask('granted to those treating them', sharer.patient, sharer.patient.facility, 'lab', 'treatment');
  await ask('… HIV not named in the consent', sharer.patient, sharer.patient.facility, 'hiv', 'treatment');
  await ask('… a hospital not treating them', sharer.patient, FAR_AWAY, 'lab', 'treatment');
  await ask('granted to Hà Nội, referred', byProvince.patient, CENTRAL, 'imaging', 'referral');
  await ask('refused at the desk', refused[0] as Patient, (refused[0] as Patient).facility, 'lab', 'treatment');
  await ask('before withdrawing', changesMind.patient, changesMind.patient.facility, 'encounters', 'treatment');
  await withdraw(changesMind.patient, changesMind.consent, evidence(rng, changesMind.patient, 'withdrawal'));
  await ask('… the next decision after it', changesMind.patient, changesMind.patient.facility, 'encounters', 'treatment');
  const [six, eight] = children;
  if (six && eight) {
    await ask('age 6, parent consented alone', six, six.facility, 'lab', 'treatment');
    await ask('age 8, parent consented alone', eight, eight.facility, 'lab', 'treatment');
  }
  // A patient Bạch Mai has no emergency access to yet (a re-run of the demo finds the last run's still open).
  let emergency = silent[0] ?? (refused[0] as Patient);
  for (const candidate of [...silent, ...refused]) {
    if ((await decide(candidate, CENTRAL, 'lab', 'emergency')).reason === 'no-emergency-access') {
      emergency = candidate;
      break;
    }
  }
  await ask('emergency, before break-the-glass', emergency, CENTRAL, 'lab', 'emergency');
  const glass = await untilKnown('emergency access', () =>
    call('POST', '/v1/emergency-access', token(CENTRAL, 'lienthong/emergency-access'), {
      enterprisePatientId: emergency.enterprisePatientId,
      clinicianId: 'BS-CC-0117',
      reason: 'Unconscious on arrival at the emergency department after a road accident; prior results needed.',
    }),
  );
  await ask('… after Bạch Mai broke the glass', emergency, CENTRAL, 'lab', 'emergency');

  console.log(`\nconsents recorded at the registering desks (${CONSENT}):`);
  console.log(`  ${granted.length + children.length} granted (${children.length} by a parent for a child), ${refused.length} refused, ${withdrawers.length + 1} later withdrawn, ${silent.length} said nothing`);
  console.log(`  in ${recordedIn.toFixed(1)} s; consent-service learns patients from identity's events, the longest wait for one was ${(longestWaitMs / 1000).toFixed(1)} s`);
  console.log(`  one emergency access: Bạch Mai until ${String(glass.body['expiresAt'])}\n`);
  console.log('decisions (POST /v1/decisions)');
  console.log(`${'situation'.padEnd(34)} ${'facility'} ${'purpose'.padEnd(9)} ${'category'.padEnd(10)} ${'answer'.padEnd(6)} reason · obligations`);
  for (const [situation, , facility, category, purpose, d] of rows) {
    // A permit on ordinary data lists the sensitive categories this reader must leave out.
    const obligations = d.obligations.map((o) => (o.code === 'exclude-categories' ? `exclude ${o.categories.join(', ')}` : o.code)).join('; ');
    const why = [d.reason, d.policyVersion ? `default policy ${d.policyVersion}` : '', obligations].filter(Boolean).join(' · ');
    console.log(`${situation.padEnd(34)} ${facility.padEnd(8)} ${purpose.padEnd(9)} ${category.padEnd(10)} ${d.decision.padEnd(6)} ${why}`);
  }
  console.log(`\nOpenAPI: ${CONSENT}/docs · FHIR: ${CONSENT}/fhir/Consent?patient=<id> · emergency accesses per facility: GET ${CONSENT}/v1/emergency-access/report`);
  return outcome([...withdrawers.map((w) => w.patient), changesMind.patient]);
}

// ---------------------------------------------------------------------------------------------
// lab-results-service: the first-contact facilities send the MoH XML 130 their HIS already
// produces; the referred patients' results are reused at Thanh Nhàn, or repeated with the reason.

const DONG_DA = '01903'; // Bệnh viện Đa khoa Đống Đa
const FACILITY_NAMES: Record<string, string> = {
  '01903': 'BV Đa khoa Đống Đa',
  '01904': 'TTYT khu vực Sóc Sơn',
  '01905': 'TYT xã Phù Linh',
  [CITY]: 'BV Thanh Nhàn',
};
const HOUR = 3_600_000;
/** What the Thanh Nhàn doctor orders for a referred patient (catalogue codes of the rule set). */
const ORDERED = ['GLU', 'CREA', 'WBC', 'HGB', 'PLT', 'HBA1C', 'BCX', 'CXR', 'TSH'] as const;

/** A lab or imaging line of the demo: service (MA_DICH_VU), indicator (MA_CHI_SO), names, the hospital's price. */
interface DemoTest {
  readonly service: string;
  readonly indicator?: string;
  readonly name: string;
  readonly unit?: string;
  readonly price: number;
}
// The catalogue's codes (apps/lab-results-service/src/config/rule-sets: illustrative MoH codes, real LOINC).
const T = {
  glucose: { service: '23.0075.1494', indicator: '2300751', name: 'Glucose máu', unit: 'mmol/l', price: 21_500 },
  creatinine: { service: '23.0051.1494', indicator: '2300511', name: 'Creatinin', unit: 'umol/L', price: 21_500 },
  wbc: { service: '22.0121.1369', indicator: '2201211', name: 'Số lượng bạch cầu (WBC)', unit: 'G/L', price: 46_200 },
  hgb: { service: '22.0121.1369', indicator: '2201212', name: 'Huyết sắc tố (HGB)', unit: 'g/L', price: 46_200 },
  plt: { service: '22.0121.1369', indicator: '2201213', name: 'Số lượng tiểu cầu (PLT)', unit: 'G/L', price: 46_200 },
  hba1c: { service: '23.0083.1523', indicator: '2300831', name: 'HbA1c', unit: '%', price: 101_000 },
  bloodCulture: { service: '24.0001.1714', indicator: '2400011', name: 'Cấy máu', price: 288_000 },
  chestXray: { service: '18.0119.0028', name: 'X-quang ngực thẳng', price: 65_400 },
} as const satisfies Record<string, DemoTest>;

/** identity's registry: a facility's lab rated `level` under Decision 2429 (a new registry version, published on identity.facility.v1). */
async function rateLab(code: string, level: string): Promise<void> {
  const admin = serviceToken('lienthong-demo-registry', 'system/Organization.r system/Organization.cu');
  const current = await fetch(`${BASE}/v1/facilities/${code}`, { headers: { authorization: `Bearer ${admin}` } });
  if (!current.ok) throw new Error(`GET /v1/facilities/${code}: ${current.status} ${await current.text()}`);
  const f = (await current.json()) as Record<string, unknown>;
  const body = { ...Object.fromEntries(['code', 'name', 'provinceCode', 'level', 'historicalTier', 'iso15189Scope', 'sensitive', 'synthetic', 'validFrom', 'validTo'].map((k) => [k, f[k]])), labQualityLevel: level };
  const put = await fetch(`${BASE}/v1/facilities/${code}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!put.ok) throw new Error(`PUT /v1/facilities/${code}: ${put.status} ${await put.text()}`);
}

/** Whole minutes ago (XML 130 times are yyyymmddHHMM, Vietnam time). */
const minutesAgo = (ms: number) => new Date(Math.floor((Date.now() - ms) / 60_000) * 60_000);

function xml1Of(patient: Patient, maLk: string, at: Date): Xml130FieldsInput {
  const p = patient.person;
  const b = p.birthDate;
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return {
    MA_LK: maLk,
    STT: 1,
    // The local id the facility registered the patient under: identity links the file to that patient.
    MA_BN: `BN${p.id}`,
    HO_TEN: p.fullName,
    SO_CCCD: p.cccd,
    NGAY_SINH: `${b.year}${pad(b.month)}${pad(b.day)}0000`,
    GIOI_TINH: p.sex === 'male' ? 1 : 2,
    MA_QUOCTICH: '000',
    MA_DANTOC: '01',
    MATINH_CU_TRU: p.provinceCode,
    MA_LOAI_KCB: '01',
    MA_CSKCB: patient.facility,
    NGAY_VAO: new Date(at.getTime() - HOUR),
    NGAY_RA: new Date(at.getTime() + 3 * HOUR),
  };
}

/** One visit's XML3 (services, performed at `at`) and XML4 (results an hour later) rows. */
function rows(maLk: string, at: Date, lines: readonly (readonly [DemoTest, Xml130FieldsInput])[]): Pick<Xml130VisitInput, 'xml3' | 'xml4'> {
  const services = [...new Map(lines.map(([t]) => [t.service, t])).values()];
  const resultAt = new Date(at.getTime() + HOUR);
  return {
    xml3: services.map((t, i) => ({
      MA_LK: maLk,
      STT: i + 1,
      MA_DICH_VU: t.service,
      TEN_DICH_VU: t.name,
      SO_LUONG: 1,
      DON_GIA_BV: t.price,
      NGAY_YL: new Date(at.getTime() - 30 * 60_000),
      NGAY_TH_YL: at,
      NGAY_KQ: resultAt,
      NGUOI_THUC_HIEN: 'KTV.0042',
    })),
    xml4: lines.map(([t, fields], i) => ({
      MA_LK: maLk,
      STT: i + 1,
      MA_DICH_VU: t.service,
      ...(t.indicator === undefined ? {} : { MA_CHI_SO: t.indicator }),
      TEN_CHI_SO: t.name,
      ...('unit' in t && t.unit !== undefined ? { DON_VI_DO: t.unit } : {}),
      NGAY_KQ: resultAt,
      MA_BS_DOC_KQ: 'BS.0101',
      ...fields,
    })),
  };
}

/**
 * A patient's visits at the first-contact facility, as its HIS exports them: today (a few hours ago)
 * glucose — "5,6" with a comma, "mmol/l" or "mmol/L" as the HIS writes it — creatinine and, for some,
 * a blood culture; four days ago a blood count, for some an HbA1c and a chest X-ray.
 */
function visitsOf(patient: Patient, n: number, rng: SeededRandom): Xml130VisitInput[] {
  const today = minutesAgo(rng.int(2, 6) * HOUR);
  const earlier = minutesAgo(4 * 24 * HOUR + rng.int(0, 5) * HOUR);
  const decimal = (x: number) => x.toFixed(1).replace('.', rng.chance(0.7) ? ',' : '.');
  const todayLk = `${patient.facility}.${RUN}.${n}.1`;
  const earlierLk = `${patient.facility}.${RUN}.${n}.0`;
  const todayLines: [DemoTest, Xml130FieldsInput][] = [
    [T.glucose, { GIA_TRI: decimal(4.5 + rng.next() * 4), DON_VI_DO: rng.chance(0.5) ? 'mmol/l' : 'mmol/L' }],
    [T.creatinine, { GIA_TRI: String(rng.int(60, 130)) }],
  ];
  if (rng.chance(0.3)) todayLines.push([T.bloodCulture, rng.chance(0.3) ? { GIA_TRI: 'Dương tính', KET_LUAN: 'Mọc Escherichia coli' } : { GIA_TRI: 'Âm tính', KET_LUAN: 'Không mọc vi khuẩn' }]);
  const earlierLines: [DemoTest, Xml130FieldsInput][] = [
    [T.wbc, { GIA_TRI: decimal(4 + rng.next() * 7) }],
    [T.hgb, { GIA_TRI: String(rng.int(105, 160)) }],
    [T.plt, { GIA_TRI: String(rng.int(150, 400)) }],
  ];
  if (rng.chance(0.5)) earlierLines.push([T.hba1c, { GIA_TRI: decimal(5 + rng.next() * 4) }]);
  if (rng.chance(0.4)) earlierLines.push([T.chestXray, { MO_TA: 'Bóng tim không to. Hai phế trường sáng.', KET_LUAN: 'Chưa thấy tổn thương tiến triển', MA_BS_DOC_KQ: 'BS.0202' }]);
  return [
    { xml1: xml1Of(patient, earlierLk, earlier), ...rows(earlierLk, earlier, earlierLines) },
    { xml1: xml1Of(patient, todayLk, today), ...rows(todayLk, today, todayLines) },
  ];
}

interface SubmissionAnswer {
  readonly submissionId: string;
  readonly visits: readonly { readonly outcome: string; readonly results?: Record<string, number> }[];
}

async function labCall(method: string, path: string, bearer: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${LAB}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Posts each facility's file, then waits (bounded) until no visit waits for identity any more. */
async function submitFiles(byFacility: ReadonlyMap<string, Xml130VisitInput[]>): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  for (const [facility, visits] of byFacility) {
    const file = buildXml130File(visits, { facility, createdAt: new Date(), count: visits.length });
    const posted = await labCall('POST', '/v1/xml130', token(facility, 'system/Observation.c'), file, 'application/xml');
    if (posted.status !== 200) throw new Error(`POST /v1/xml130 at ${facility}: HTTP ${posted.status} ${JSON.stringify(posted.body)}`);
    let submission = posted.body as unknown as SubmissionAnswer;
    const deadline = Date.now() + LEARN_DEADLINE_MS;
    while (submission.visits.some((v) => v.outcome === 'pending-patient') && Date.now() < deadline) {
      await sleep(500);
      submission = (await labCall('GET', `/v1/submissions/${submission.submissionId}`, token(facility, 'system/Observation.rs'))).body as unknown as SubmissionAnswer;
    }
    for (const v of submission.visits) outcomes.set(v.outcome, (outcomes.get(v.outcome) ?? 0) + 1);
  }
  return outcomes;
}

interface CheckedTest {
  readonly testCode: string;
  readonly outcome: 'REUSE_CANDIDATE' | 'REPEAT_REQUIRED';
  readonly reason: string | null;
  readonly priceVnd: number | null;
  readonly candidate: null | {
    readonly performingFacility: string;
    readonly value: { kind: string; value?: number; code?: string; text?: string } | null;
    readonly unit: { original: string | null; ucum: string | null };
    readonly lab: { labQualityLevel: string } | null;
    readonly performedAt: string | null;
    readonly collectedAt: string | null;
    readonly windowFrom: string | null;
    readonly validUntil: string | null;
  };
}
interface Check {
  readonly checkId: string;
  readonly ruleSetVersion: string;
  readonly tests: readonly CheckedTest[];
}

/** Thanh Nhàn's reuse check for a referred patient (purpose referral), by enterprise id. */
async function reuseCheck(enterprisePatientId: string): Promise<Check> {
  // The lab learns Thanh Nhàn's link to the patient from identity's events: until then a referral check is refused.
  const deadline = Date.now() + LEARN_DEADLINE_MS;
  for (;;) {
    const answer = await labCall('POST', '/v1/reuse-checks', token(CITY, 'system/Observation.rs'), { patient: { enterprisePatientId }, purpose: 'referral', testCodes: [...ORDERED] });
    if (answer.status === 201) return answer.body as unknown as Check;
    if (answer.status !== 403 && answer.status !== 422) throw new Error(`POST /v1/reuse-checks: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    if (Date.now() > deadline) throw new Error(`reuse check: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    await sleep(500);
  }
}

const vnTime = (iso: string | null) => (iso === null ? '—' : `${new Date(new Date(iso).getTime() + 7 * HOUR).toISOString().slice(5, 16).replace('T', ' ')}`);
const vnd = (n: number) => `${n.toLocaleString('vi-VN')} ₫`;
function valueText(c: NonNullable<CheckedTest['candidate']>): string {
  const v = c.value;
  if (v === null) return '';
  if (v.kind === 'quantity') return `${v.value} ${c.unit.ucum ?? c.unit.original ?? ''}`.trim();
  if (v.kind === 'coded') return v.code ?? '';
  const text = v.text ?? '';
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

async function labDemo(patients: readonly Patient[], referredToCity: ReadonlySet<string>, consents: ConsentOutcome): Promise<void> {
  const rng = new SeededRandom(51);
  const started = Date.now();
  // Every patient's first-contact facility sends its file (one per facility, every visit of the day in it).
  const byFacility = new Map<string, Xml130VisitInput[]>();
  let lines = 0;
  patients.forEach((patient, n) => {
    const visits = visitsOf(patient, n, rng);
    lines += visits.reduce((sum, v) => sum + (v.xml4?.length ?? 0), 0);
    byFacility.set(patient.facility, [...(byFacility.get(patient.facility) ?? []), ...visits]);
  });
  const outcomes = await submitFiles(byFacility);
  const ingestSeconds = (Date.now() - started) / 1000;

  // The referred patients arrive at Thanh Nhàn: the doctor checks before ordering.
  const referred = patients.filter((p) => referredToCity.has(p.enterprisePatientId));
  const sharing = referred.filter((p) => consents.sharing.has(p.enterprisePatientId));
  const notSharing = referred.find((p) => consents.notSharing.has(p.enterprisePatientId));
  const tally = new Map<string, Map<string, number>>(); // test → outcome or reason → count
  const note = (test: string, what: string) => {
    const row = tally.get(test) ?? new Map<string, number>();
    row.set(what, (row.get(what) ?? 0) + 1);
    tally.set(test, row);
  };
  let example: { patient: Patient; check: Check } | undefined;
  let ruleSetVersion = '';
  let reused = 0;
  let retested = 0;
  let fromXmlAlone = 0;
  let avoidedVnd = 0;
  const checkStarted = Date.now();
  await inBatches(sharing, 4, async (patient) => {
    const check = await reuseCheck(patient.enterprisePatientId);
    ruleSetVersion = check.ruleSetVersion;
    const doctor = token(CITY, 'system/Observation.rs');
    for (const t of check.tests) {
      note(t.testCode, t.outcome === 'REUSE_CANDIDATE' ? 'reuse' : (t.reason ?? 'repeat'));
      if (t.candidate !== null && t.candidate.collectedAt === null && t.candidate.windowFrom === 'performedAt') fromXmlAlone += 1;
      // The doctor reuses each candidate — except, now and then, a result the clinical picture has overtaken.
      const decision =
        t.outcome === 'REUSE_CANDIDATE'
          ? rng.chance(0.9)
            ? { decision: 'reused' }
            : { decision: 'retested', retestReason: 'clinical-change' }
          : { decision: 'retested', retestReason: 'no-candidate' };
      const recorded = await labCall('POST', `/v1/reuse-checks/${check.checkId}/decisions`, doctor, { testCode: t.testCode, ...decision });
      if (recorded.status !== 201) throw new Error(`decision: HTTP ${recorded.status} ${JSON.stringify(recorded.body)}`);
      if (recorded.body['decision'] === 'reused') {
        reused += 1;
        avoidedVnd += Number(recorded.body['priceAvoidedVnd'] ?? 0);
      } else retested += 1;
    }
    // The example: a patient first seen at Đống Đa (the rated lab) with the most reusable results.
    const candidates = (c: Check) => c.tests.filter((t) => t.outcome === 'REUSE_CANDIDATE').length;
    const rank = (p: Patient, c: Check) => (p.facility === DONG_DA ? 100 : 0) + candidates(c);
    if (example === undefined || rank(patient, check) > rank(example.patient, example.check)) example = { patient, check };
  });
  const checkSeconds = (Date.now() - checkStarted) / 1000;

  const stored = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  console.log(`\nlab results (${LAB}): XML 130 from ${[...byFacility.keys()].map((f) => FACILITY_NAMES[f] ?? f).join(', ')}`);
  console.log(`  ${[...byFacility.values()].reduce((n, v) => n + v.length, 0)} visits, ${lines} result lines → ${stored} in ${ingestSeconds.toFixed(1)} s`);
  console.log(`  (patients resolved through identity-service as lab-results-service acting for each facility; Đống Đa's lab re-rated level 3, Sóc Sơn's level 1, Phù Linh's unrated)`);
  if (sharing.length === 0) {
    console.log('\nreuse demo: no referred patient consented to sharing (try --patients 50 or more)');
    return;
  }
  console.log(`\nreuse checks at ${FACILITY_NAMES[CITY]} (level 3 lab), purpose referral, rule set ${ruleSetVersion}: ${sharing.length} referred patients in ${checkSeconds.toFixed(1)} s`);
  const columns = ['reuse', 'expired', 'lab-quality-below-requester', 'negative-microbiology', 'no-prior-result'];
  const header = ['reuse', 'expired', 'lab below', 'neg. micro', 'no result'];
  console.log(`${'test'.padEnd(7)} ${header.map((h) => h.padStart(10)).join(' ')}  other`);
  for (const test of ORDERED) {
    const row = tally.get(test) ?? new Map<string, number>();
    const other = [...row].filter(([k]) => !columns.includes(k)).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`${test.padEnd(7)} ${columns.map((c) => String(row.get(c) ?? 0).padStart(10)).join(' ')}  ${other}`);
  }

  if (example) {
    console.log(`\none patient first seen at ${FACILITY_NAMES[example.patient.facility] ?? example.patient.facility}, referred to ${FACILITY_NAMES[CITY]} (check ${example.check.checkId}):`);
    for (const t of example.check.tests) {
      const c = t.candidate;
      const line =
        c === null
          ? `REPEAT_REQUIRED  ${t.reason ?? ''}`
          : `REUSE_CANDIDATE  ${valueText(c).padEnd(25)} ${(FACILITY_NAMES[c.performingFacility] ?? c.performingFacility).padEnd(20)} lab ${c.lab?.labQualityLevel ?? '?'}  performed ${vnTime(c.performedAt)}  valid until ${vnTime(c.validUntil)}${c.collectedAt === null ? ' (XML 130 alone: window from NGAY_TH_YL)' : ''}`;
      console.log(`  ${t.testCode.padEnd(6)} ${line}`);
    }
  }
  if (notSharing) {
    const denied = await reuseCheck(notSharing.enterprisePatientId);
    const reasons = [...new Set(denied.tests.map((t) => t.reason ?? t.outcome))].join(', ');
    console.log(`\na referred patient who refused or withdrew consent: every test ${reasons}`);
  }
  console.log(`\ndoctors' decisions (POST /v1/reuse-checks/{id}/decisions): ${reused} tests reused — not repeated — and ${retested} ordered again`);
  console.log(`  tests avoided: ${reused}, cost avoided: ${vnd(avoidedVnd)} (indicative prices of rule set ${ruleSetVersion}); ${fromXmlAlone} candidates came from XML 130 alone`);
  console.log(`  events: lab.result.v1 (every stored result, restricted topic) and lab.reuse.v1 (checks and decisions, no values) — analytics counts from the latter`);
  console.log(`OpenAPI: ${LAB}/docs · rule sets: GET ${LAB}/v1/rule-sets`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
