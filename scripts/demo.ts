/**
 * The `npm start` demo: a synthetic slice of Hà Nội whose hospitals register their patients with the
 * running identity-service, the way their HIS would. Patients first visit a commune station or a
 * former district hospital; some are referred to the city hospital, a few onward to Bạch Mai
 * (central). Each facility types the patient in its own way (missing CCCD, no diacritics, a typo…),
 * and the master patient index links, queues for review, or creates.
 * Then the patients speak to consent-service at the desk where they registered: most grant treatment
 * and referral sharing, some refuse, some withdraw later, two children come with a parent, and one
 * emergency is declared; the demo asks the decision point a few questions and prints its answers.
 *   node scripts/run-ts.cjs scripts/demo.ts [--patients 200] [--url http://127.0.0.1:3001] [--consent-url http://127.0.0.1:3004]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { exactRecord, makeVariant, PopulationGenerator, SeededRandom, type ObservedPatientRecord, type SyntheticPerson } from '@lienthong/synthetic';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? '', process.argv[i + 1] ?? '');
const BASE = args.get('--url') ?? process.env['IDENTITY_URL'] ?? 'http://127.0.0.1:3001';
const CONSENT = args.get('--consent-url') ?? process.env['CONSENT_URL'] ?? 'http://127.0.0.1:3004';
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
  const rng = new SeededRandom(2027);
  const population = new PopulationGenerator({ seed: 2027 });
  const people = Array.from({ length: PATIENTS }, () => population.person()).filter((p) => p.cccd !== undefined || rng.next() < 0.5);
  const tally = new Map<string, number>();
  const count = (stage: string, outcome: string) => tally.set(`${stage}|${outcome}`, (tally.get(`${stage}|${outcome}`) ?? 0) + 1);
  const truth = new Map<string, string>(); // synthetic person id -> enterprise id at first contact
  const firstFacility = new Map<string, string>();
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
    if (city.enterprisePatientId === truth.get(person.id)) sameIdentity += 1;
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
  await consentDemo(uniquePatients(patients), children);
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

async function consentDemo(patients: readonly Patient[], children: readonly Patient[]): Promise<void> {
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
  if (!sharer || !changesMind || !byProvince || refused.length === 0) {
    console.log('\nconsent demo: too few patients for every case (try --patients 50 or more)');
    return;
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
