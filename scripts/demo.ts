/**
 * The `npm start` demo: a synthetic slice of Hà Nội whose hospitals register their patients with the
 * running identity-service, the way their HIS would. Patients first visit a commune station or a
 * former district hospital; some are referred to the city hospital, a few onward to Bạch Mai
 * (central). Each facility types the patient in its own way (missing CCCD, no diacritics, a typo…),
 * and the master patient index links, queues for review, or creates.
 *   node scripts/run-ts.cjs scripts/demo.ts [--patients 200] [--url http://127.0.0.1:3001]
 */
import { execFileSync } from 'node:child_process';
import { generatePopulation, exactRecord, makeVariant, SeededRandom, type ObservedPatientRecord } from '@lienthong/synthetic';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? '', process.argv[i + 1] ?? '');
const BASE = args.get('--url') ?? process.env['IDENTITY_URL'] ?? 'http://127.0.0.1:3001';
const PATIENTS = Number(args.get('--patients') ?? 200);
/** Re-running the demo re-registers the same people (outcome `updated`); keys are per run. */
const RUN = Date.now().toString(36);

const FIRST_CONTACT = ['01904', '01903', '01905']; // TTYT khu vực Sóc Sơn, BV Đống Đa, TYT xã Phù Linh
const CITY = '01902'; // Bệnh viện Thanh Nhàn
const CENTRAL = '01901'; // Bệnh viện Bạch Mai

function token(facility: string, scope: string): string {
  return execFileSync(process.execPath, ['scripts/token.cjs', '--facility', facility, '--scope', scope, '--sub', `his-${facility}`], {
    encoding: 'utf8',
  }).trim();
}

const tokens = new Map<string, string>();
function writerToken(facility: string): string {
  let t = tokens.get(facility);
  if (!t) {
    t = token(facility, 'system/Patient.cu system/Patient.rs');
    tokens.set(facility, t);
  }
  return t;
}

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

async function main(): Promise<void> {
  const rng = new SeededRandom(2027);
  const people = generatePopulation({ seed: 2027, size: PATIENTS }).filter((p) => p.cccd !== undefined || rng.next() < 0.5);
  const tally = new Map<string, number>();
  const count = (stage: string, outcome: string) => tally.set(`${stage}|${outcome}`, (tally.get(`${stage}|${outcome}`) ?? 0) + 1);
  const truth = new Map<string, string>(); // synthetic person id -> enterprise id at first contact
  let sameIdentity = 0;
  let referrals = 0;
  const started = Date.now();

  await inBatches(people, 8, async (person) => {
    const facility = FIRST_CONTACT[rng.int(0, FIRST_CONTACT.length - 1)] ?? '01904';
    const first = await register(facility, `BN${person.id}`, exactRecord(person));
    count('first visit', first.outcome);
    truth.set(person.id, first.enterprisePatientId);
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
