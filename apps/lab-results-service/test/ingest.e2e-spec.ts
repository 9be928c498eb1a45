import { LabResultFinalizedV1, type LabResult, Topics } from '@lienthong/contracts';
import { expectEventually } from '@lienthong/testing';
import { labVisit, syntheticPatient, xml130File, type SyntheticPatient } from '../src/lab-result/testing/xml130-visits';
import {
  collectEvents,
  createKeyedTestIssuer,
  FACILITIES,
  facilityHeaders,
  getSubmission,
  LAB_SCOPES,
  startLabStack,
  submitXml130,
  withSql,
  type LabStack,
} from './lab-process';

/**
 * The ingest's story on the built services as processes (identity-service and lab-results-service,
 * test/lab-process.ts): a district hospital's XML 130 is stored with its patients resolved by the real
 * identity-service; identity stopped, another file waits (pending-patient) — nothing lost — and once
 * identity is started again the results appear (the hospital polls GET /v1/submissions/{id}) and are
 * announced on lab.result.v1 exactly once each.
 */
const DONG_DA = FACILITIES.dongDa;
const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const PERFORMED = new Date(Date.now() - 26 * 3_600_000);
/** People unique to this run (identity's database is fresh, Kafka's topics are not). */
const seed = Date.now() % 900_000;
const people = [syntheticPatient(seed), syntheticPatient(seed + 1), syntheticPatient(seed + 2)] as const;

describe('XML 130 ingest with the real identity-service (built, as processes)', () => {
  const issuer = createKeyedTestIssuer();
  let stack: LabStack;
  let events: Awaited<ReturnType<typeof collectEvents>>;

  const his = () => facilityHeaders(issuer, DONG_DA, `${LAB_SCOPES.ingest} ${LAB_SCOPES.read}`);
  const resultIdsOf = (maLk: string) =>
    withSql(stack.lab.db.url, async (sql) => (await sql.query<{ result_id: string }>(`SELECT result_id FROM lab_results WHERE ma_lk = $1`, [maLk])).rows.map((r) => r.result_id));
  const finalizedOf = (resultIds: readonly string[]) => events.events(LabResultFinalizedV1).filter((e) => resultIds.includes((e.data as LabResult).resultId));

  /** The enterprise id identity-service holds for this person, asked the way a hospital would. */
  async function enterpriseIdOf(person: SyntheticPatient): Promise<string> {
    const response = await fetch(`${stack.identity.base}/v1/patients?identifier=${encodeURIComponent(`cccd|${person.cccd}`)}`, { headers: await facilityHeaders(issuer, DONG_DA, 'system/Patient.rs') });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { enterprisePatientId: string }[] };
    expect(body.items).toHaveLength(1);
    return body.items[0]?.enterprisePatientId ?? '';
  }

  beforeAll(async () => {
    stack = await startLabStack(issuer, { name: 'lab_ingest_e2e', consent: false });
    events = await collectEvents([Topics.labResultV1], 'lab-ingest-e2e-reader');
  });

  afterAll(async () => {
    await events?.stop();
    await stack?.stop();
  });

  it('a district hospital’s file: each visit stored, its patient registered at identity, its results announced keyed by the enterprise id', async () => {
    const answer = await submitXml130(stack.lab.base, await his(), xml130File(DONG_DA, [labVisit(DONG_DA, `DD.E2E.${seed}.1`, people[0], PERFORMED), labVisit(DONG_DA, `DD.E2E.${seed}.2`, people[1], PERFORMED)]));

    expect(answer.visits.map((v) => [v.outcome, v.results.new])).toEqual([
      ['stored', 5],
      ['stored', 5],
    ]);
    const patient = await enterpriseIdOf(people[0]);
    const ids = await resultIdsOf(`DD.E2E.${seed}.1`);
    const announced = await expectEventually(() => {
      const found = finalizedOf(ids);
      expect(found).toHaveLength(5);
      return found;
    }, WAIT);
    expect(new Set(announced.map((e) => e.key))).toEqual(new Set([patient]));
    expect(announced.map((e) => (e.data as LabResult).test.catalogueCode).sort()).toEqual(['CREA', 'GLU', 'HBSAG', 'HGB', 'WBC']);
    expect(JSON.stringify(announced)).not.toContain(people[0].cccd);
  });

  it('identity stopped during ingest: the visit waits, nothing is lost; identity back, its results appear and are announced exactly once', async () => {
    await stack.identity.stop();
    const maLk = `DD.E2E.${seed}.3`;
    const answer = await submitXml130(stack.lab.base, await his(), xml130File(DONG_DA, [labVisit(DONG_DA, maLk, people[2], PERFORMED)]));
    expect(answer.visits[0]).toMatchObject({ outcome: 'pending-patient', results: { new: 0 } });
    expect((await getSubmission(stack.lab.base, await his(), answer.submissionId)).visits[0]?.outcome).toBe('pending-patient');
    // The visit is durable, its patient data sealed; no result exists yet.
    expect(
      await withSql(stack.lab.db.url, async (sql) => (await sql.query(`SELECT status, demographics IS NOT NULL AS sealed, attempts >= 0 AS tried FROM visits WHERE ma_lk = $1`, [maLk])).rows),
    ).toEqual([{ status: 'pending-patient', sealed: true, tried: true }]);
    expect(await resultIdsOf(maLk)).toEqual([]);

    await stack.identity.start();
    await expectEventually(async () => expect((await getSubmission(stack.lab.base, await his(), answer.submissionId)).visits[0]).toMatchObject({ outcome: 'stored', results: { new: 5 } }), WAIT);
    const patient = await enterpriseIdOf(people[2]);
    const ids = await resultIdsOf(maLk);
    expect(ids).toHaveLength(5);
    await expectEventually(() => expect(finalizedOf(ids)).toHaveLength(5), WAIT);
    const perResult = new Map(ids.map((id) => [id, finalizedOf([id]).length]));
    expect([...perResult.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(new Set(finalizedOf(ids).map((e) => e.key))).toEqual(new Set([patient]));
    expect(await withSql(stack.lab.db.url, async (sql) => (await sql.query(`SELECT status, demographics FROM visits WHERE ma_lk = $1`, [maLk])).rows)).toEqual([{ status: 'resolved', demographics: null }]);
  });
});
