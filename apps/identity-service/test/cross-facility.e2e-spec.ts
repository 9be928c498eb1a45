import { createTestIssuer, facilityHeaders, uniqueName } from '@lienthong/testing';
import { Client } from 'pg';
import { isoBirthDate, postPatient, registrationOf, sexCode, startIdentity, syntheticAdults, type IdentityProcess, type SyntheticAdult } from './identity-process';

/**
 * The two cross-facility stories of issue 7, against the BUILT service run as a process (fresh
 * database migrated by the built migrate.js, seeded registry, shared Kafka):
 *   - read by id: a facility with no link and no scope gets 404 on REST and FHIR (audited as denied);
 *     with the cross-reference scope it sees the patient but not a sensitive facility's link; the
 *     sensitive facility reads its own; the audit trail hides the sensitive visit from others;
 *   - overwrite: A (CCCD-verified) reported X, B posts Y for the same person → A and a third facility
 *     still read X, B's own source record shows Y, the history holds both, exactly one review item,
 *     A's address survives.
 */
/** Seed registry: Bệnh viện Thanh Nhàn (specialised). */
const A = '01902';
/** Seed registry: Trạm Y tế xã Phù Linh (initial). */
const B = '01905';
/** Seed registry: Bệnh viện Bạch Mai (specialised): never sees the patient's file itself. */
const THIRD = '01901';
/** Seed registry: the HIV outpatient clinic (sensitive). */
const HIV_CLINIC = '01907';
/** Seed registry: Bệnh viện Đa khoa Đống Đa, with no link to anybody here. */
const STRANGER = '01903';

const READ = 'system/Patient.rs';
const WRITE = 'system/Patient.cu';
const CROSSREF = 'lienthong/patient.crossref';
const AUDIT = 'lienthong/audit.read';

interface PatientBody {
  enterprisePatientId: string;
  fullName: string;
  birthDate?: string;
  sex: number;
  phone?: string;
  address?: { provinceCode?: string; communeCode?: string; line?: string };
  links: { facilityCode: string; localId: string }[];
  sources: { localId: string; fullName: string; birthDate?: string; sex: number; phone?: string; cccdVerified: boolean; disputedFields: string[] }[];
}

describe('identity-service cross-facility reads and writes (built, as a process)', () => {
  const issuer = createTestIssuer();
  const [seen, hidden, person] = syntheticAdults(3) as [SyntheticAdult, SyntheticAdult, SyntheticAdult];
  const tag = uniqueName('xf').replace(/[^a-z0-9]/gi, '').toUpperCase().slice(-10);
  let identity: IdentityProcess | undefined;
  let sql: Client | undefined;
  let base = '';

  const get = async (path: string, facility: string, scope: string) => fetch(`${base}${path}`, { headers: await facilityHeaders(issuer, facility, scope) });
  async function register(facility: string, body: Record<string, unknown>): Promise<{ status: number; body: { enterprisePatientId: string; outcome: string; warnings: { pointer?: string; rule: string }[] } }> {
    const response = await postPatient(base, await facilityHeaders(issuer, facility, WRITE), body);
    return { status: response.status, body: (await response.json()) as never };
  }
  const X = (localId: string, who: SyntheticAdult = person) => ({
    ...registrationOf(who, localId),
    address: { provinceCode: '01', communeCode: '00004', line: `Số ${tag.length} phố Thanh Nhàn` },
    phone: '0912345678',
  });
  // Somebody else's values entirely: another name, birth year, sex and phone, no address.
  const Y = (localId: string) => ({
    localId,
    fullName: 'Trần Văn Bình',
    birthDate: String(person.birthDate.year - 7),
    sex: person.sex === 'male' ? 2 : 1,
    phone: '0987654321',
    identifiers: [{ system: 'cccd', value: person.cccd }],
  });

  beforeAll(async () => {
    identity = await startIdentity(issuer, { database: 'identity_xf_e2e' });
    base = identity.base;
    sql = new Client({ connectionString: identity.db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await identity?.stop();
  });

  describe('read by id', () => {
    let id = '';
    let onlySensitive = '';

    beforeAll(async () => {
      id = (await register(A, X(`A-${tag}`, seen))).body.enterprisePatientId;
      expect((await register(HIV_CLINIC, X(`OPC-${tag}`, seen))).body).toMatchObject({ enterprisePatientId: id, outcome: 'linked' });
      onlySensitive = (await register(HIV_CLINIC, X(`OPC2-${tag}`, hidden))).body.enterprisePatientId;
    });

    it('a facility with no link and no cross-reference scope gets 404 on REST and FHIR read, and the attempt is audited as denied', async () => {
      for (const target of [id, onlySensitive]) {
        const rest = await get(`/v1/patients/${target}`, STRANGER, READ);
        expect(rest.status).toBe(404);
        expect(JSON.stringify(await rest.json())).not.toContain(seen.fullName);
        const fhir = await get(`/fhir/Patient/${target}`, STRANGER, READ);
        expect(fhir.status).toBe(404);
        expect(await fhir.json()).toMatchObject({ resourceType: 'OperationOutcome' });
      }
      // The same answer as for an id nobody has: existence is not confirmed.
      const unknown = await get(`/v1/patients/01936f3e-0000-7000-8000-000000000000`, STRANGER, READ);
      expect(unknown.status).toBe(404);

      const denied = await sql?.query<{ facility_code: string; outcome: string; patient_id: string }>(
        `SELECT facility_code, outcome, patient_id FROM audit_log WHERE action = 'patient.read' AND facility_code = $1 ORDER BY id`,
        [STRANGER],
      );
      expect(denied?.rows.filter((r) => r.outcome === 'denied').map((r) => r.patient_id)).toEqual([id, id, onlySensitive, onlySensitive]);
    });

    it('with the cross-reference scope a facility sees the patient but not the sensitive facility’s link; a patient seen only there stays 404', async () => {
      const rest = await get(`/v1/patients/${id}`, STRANGER, `${READ} ${CROSSREF}`);
      expect(rest.status).toBe(200);
      const view = (await rest.json()) as PatientBody;
      expect(view).toMatchObject({ enterprisePatientId: id, fullName: seen.fullName });
      expect(view.links).toEqual([{ facilityCode: A, localId: `A-${tag}` }]);
      const fhir = await get(`/fhir/Patient/${id}`, STRANGER, `${READ} ${CROSSREF}`);
      expect(fhir.status).toBe(200);
      expect(JSON.stringify(await fhir.json())).not.toContain(HIV_CLINIC);

      expect((await get(`/v1/patients/${onlySensitive}`, STRANGER, `${READ} ${CROSSREF}`)).status).toBe(404);
      expect((await get(`/fhir/Patient/${onlySensitive}`, STRANGER, `${READ} ${CROSSREF}`)).status).toBe(404);
    });

    it('the sensitive facility reads its own patient and its own link', async () => {
      const own = await get(`/v1/patients/${onlySensitive}`, HIV_CLINIC, READ);
      expect(own.status).toBe(200);
      expect(((await own.json()) as PatientBody).links).toEqual([{ facilityCode: HIV_CLINIC, localId: `OPC2-${tag}` }]);
      expect((await get(`/fhir/Patient/${onlySensitive}`, HIV_CLINIC, READ)).status).toBe(200);
    });

    it('the audit trail follows the same rule: 404 without a link or scope, and the sensitive visit hidden from everyone but the clinic', async () => {
      expect((await get(`/v1/patients/${id}/audit`, STRANGER, AUDIT)).status).toBe(404);
      const seenByA = await get(`/v1/patients/${id}/audit?limit=100`, A, AUDIT);
      expect(seenByA.status).toBe(200);
      const entries = ((await seenByA.json()) as { items: { facilityCode: string | null }[] }).items;
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.map((e) => e.facilityCode)).not.toContain(HIV_CLINIC);
      const seenByClinic = await get(`/v1/patients/${id}/audit?limit=100`, HIV_CLINIC, AUDIT);
      expect(((await seenByClinic.json()) as { items: { facilityCode: string | null }[] }).items.map((e) => e.facilityCode)).toContain(HIV_CLINIC);
    });
  });

  describe('another facility re-posts different values for the same person', () => {
    let id = '';
    let answer: Awaited<ReturnType<typeof register>>;

    beforeAll(async () => {
      // A (specialised hospital) verified the patient with the CCCD; B (commune station) links by the same CCCD…
      id = (await register(A, X(`TN-${tag}`))).body.enterprisePatientId;
      expect((await register(B, { ...X(`TYT-${tag}`), address: undefined })).body).toMatchObject({ enterprisePatientId: id });
      // …then re-posts somebody else's name, birth year, sex and phone.
      answer = await register(B, Y(`TYT-${tag}`));
    });

    it('answers B that its values were kept for itself and sent to review', () => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ enterprisePatientId: id, outcome: 'updated' });
      expect(answer.body.warnings.filter((w) => w.rule === 'source.contradicts-cccd-verified').map((w) => w.pointer)).toEqual(['#/fullName', '#/birthDate', '#/sex']);
    });

    it('A and a third facility still read X, address included', async () => {
      for (const [facility, scope] of [
        [A, READ],
        [THIRD, `${READ} ${CROSSREF}`],
      ] as const) {
        const response = await get(`/v1/patients/${id}`, facility, scope);
        expect(response.status).toBe(200);
        const view = (await response.json()) as PatientBody;
        expect(view).toMatchObject({ fullName: person.fullName, birthDate: isoBirthDate(person), sex: sexCode(person) });
        expect(view.phone).toMatch(/912345678$/);
        expect(view.address).toMatchObject({ provinceCode: '01', communeCode: '00004' });
      }
    });

    it('B reads its own source record with Y, the shared record with X', async () => {
      const response = await get(`/v1/patients/${id}`, B, READ);
      const view = (await response.json()) as PatientBody;
      expect(view.fullName).toBe(person.fullName);
      expect(view.sources).toEqual([
        expect.objectContaining({ localId: `TYT-${tag}`, fullName: 'Trần Văn Bình', birthDate: String(person.birthDate.year - 7), cccdVerified: true, disputedFields: ['name', 'birthDate', 'sex'] }),
      ]);
      expect(view.sources[0]?.phone).toMatch(/987654321$/);
    });

    it('the history holds both reports, and exactly one review item is open, however often B re-sends', async () => {
      await register(B, Y(`TYT-${tag}`));
      const history = await sql?.query<{ facility_code: string; full_name: string }>(
        `SELECT facility_code, full_name FROM patient_source_history WHERE patient_id = $1 AND local_id = ANY($2::text[]) ORDER BY id`,
        [id, [`TN-${tag}`, `TYT-${tag}`]],
      );
      expect(history?.rows).toEqual([
        { facility_code: A, full_name: person.fullName },
        { facility_code: B, full_name: person.fullName },
        { facility_code: B, full_name: 'Trần Văn Bình' },
      ]);

      const steward = await issuer.sign({ role: 'data-steward', scope: 'lienthong/mpi.steward', sub: 'steward-xf' });
      const review = await fetch(`${base}/v1/review-items?limit=100`, { headers: { authorization: `Bearer ${steward}`, 'x-purpose-of-use': 'treatment' } });
      expect(review.status).toBe(200);
      const items = ((await review.json()) as { items: { kind: string; incomingPatientId: string; facilityCode: string; localId: string }[] }).items.filter((i) => i.incomingPatientId === id);
      expect(items).toEqual([expect.objectContaining({ kind: 'conflict', facilityCode: B, localId: `TYT-${tag}` })]);
    });
  });
});
