import { LabResultFinalizedV1, LabReuseCheckedV1, LabReuseDecidedV1, Topics } from '@lienthong/contracts';
import { expectEventually } from '@lienthong/testing';
import { randomBytes } from 'node:crypto';
import { CODES, PATIENTS, xml1, xml130File, xml3, xml4 } from '../src/lab-result/testing/xml130-visits';
import {
  collectEvents,
  createKeyedTestIssuer,
  facilityHeaders,
  getSubmission,
  LAB_SCOPES,
  serviceHeaders,
  startLabStack,
  submitXml130,
  withSql,
  type LabStack,
} from './lab-process';

/**
 * The issue's referral story, end to end on the built services as processes (identity-service,
 * consent-service, lab-results-service; test/lab-process.ts): district hospitals send the MoH XML 130
 * they already produce; the patient moves on to a provincial hospital, registers there and consents to
 * sharing for treatment and referral; the provincial hospital's reuse check reuses what is still valid —
 * a glucose known from XML alone among them — and says why the rest must be repeated; the doctor's
 * decisions are recorded; results and reuse travel on lab.result.v1 and lab.reuse.v1. A withdrawal of the
 * consent turns the same check into consent-denied.
 *
 * "identity stopped during ingest → nothing lost, results appear once it is back" is proven on the same
 * stack by test/ingest.e2e-spec.ts (the ingest's own story); not repeated here.
 *
 * The facilities are created in identity's registry by this spec (PUT /v1/facilities) under codes of its
 * own, so the lab's registry copy — which reads identity.facility.v1 from its start, other runs' events
 * included — holds exactly the levels this story needs.
 */
const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const HOUR = 3_600_000;
const OBSERVATION_READ = 'system/Observation.rs';

/** `count` distinct facility codes of this run: Hà Nội's province digits, then three characters (the MA_CSKCB shape). */
function facilityCodes(count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(`01${randomBytes(2).toString('hex').toUpperCase().slice(0, 3)}`);
  return [...codes];
}

interface CheckTest {
  testCode: string;
  outcome: 'REUSE_CANDIDATE' | 'REPEAT_REQUIRED';
  reason: string | null;
  priceVnd: number | null;
  candidate: null | {
    resultId: string;
    performingFacility: string;
    value: unknown;
    unit: { original: string | null; ucum: string | null };
    lab: { facilityCode: string; labQualityLevel: string } | null;
    performedAt: string | null;
    performedAtSource: string | null;
    collectedAt: string | null;
    validUntil: string | null;
    windowFrom: string | null;
    missingFields: string[];
  };
}
interface CheckAnswer {
  checkId: string;
  enterprisePatientId: string;
  requestingFacility: string;
  purpose: string;
  ruleSetVersion: string;
  tests: CheckTest[];
  summary: { tests: number; reuseCandidates: number; repeatRequired: number; priceVndAvoidable: number };
}

describe('the referral story: XML 130 at district hospitals → reuse check at the provincial hospital (built services)', () => {
  const issuer = createKeyedTestIssuer();
  let stack: LabStack;
  let events: Awaited<ReturnType<typeof collectEvents>>;

  /**
   * RATED_DISTRICT: a district hospital whose lab the Decision 2429 assessment rated level 3, as the
   * provincial hospital's; LOW_DISTRICT: a regional health centre with a level-1 lab, below it.
   */
  const [RATED_DISTRICT = '', LOW_DISTRICT = '', PROVINCIAL = ''] = facilityCodes(3);
  const patient = PATIENTS.ha;
  const provincialLocalId = `TN-${randomBytes(4).toString('hex')}`;
  const now = Date.now();
  /** Whole minutes: XML 130 times are yyyymmddHHMM. */
  const minutesAgo = (ms: number) => new Date(Math.floor((now - ms) / 60_000) * 60_000);
  const recent = minutesAgo(3 * HOUR);
  const fiveDaysAgo = minutesAgo(5 * 24 * HOUR);
  const yesterday = minutesAgo(20 * HOUR);

  const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });
  const call = async (base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: json(headers), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const lab = (method: string, path: string, headers: Record<string, string>, body?: unknown) => call(stack.lab.base, method, path, headers, body);
  const provincialReader = () => facilityHeaders(issuer, PROVINCIAL, OBSERVATION_READ);
  const runCheck = async (patientRef: Record<string, string>): Promise<CheckAnswer> => {
    const answer = await lab('POST', '/v1/reuse-checks', await provincialReader(), { patient: patientRef, purpose: 'referral', testCodes: ['GLU', 'WBC', 'CREA', 'BCX', 'CXR', 'TSH'] });
    if (answer.status !== 201) throw new Error(`POST /v1/reuse-checks: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as unknown as CheckAnswer;
  };
  const byTest = (check: CheckAnswer) => new Map(check.tests.map((t) => [t.testCode, t]));

  beforeAll(async () => {
    stack = await startLabStack(issuer, { name: 'lab_referral_e2e' });
    events = await collectEvents([Topics.labResultV1, Topics.labReuseV1], 'lab-referral-e2e');
    // identity's registry: the two district labs and the provincial hospital, as an administrator enters them.
    const admin = await serviceHeaders(issuer, 'lienthong-registry-admin', 'system/Organization.cu');
    const facilities = [
      { code: RATED_DISTRICT, name: 'Bệnh viện Đa khoa khu vực Thử nghiệm', level: 'basic', historicalTier: 'district', labQualityLevel: '3' },
      { code: LOW_DISTRICT, name: 'Trung tâm Y tế khu vực Thử nghiệm', level: 'basic', historicalTier: 'district', labQualityLevel: '1' },
      { code: PROVINCIAL, name: 'Bệnh viện Đa khoa tỉnh Thử nghiệm', level: 'specialised', historicalTier: 'provincial', labQualityLevel: '3' },
    ];
    for (const f of facilities) {
      const put = await call(stack.identity.base, 'PUT', `/v1/facilities/${f.code}`, admin, { ...f, provinceCode: '01', iso15189Scope: [], sensitive: false, synthetic: true, validFrom: '2025-07-01' });
      if (put.status !== 200) throw new Error(`PUT /v1/facilities/${f.code}: ${put.status} ${JSON.stringify(put.body)}`);
    }
    // lab-results-service learns them from identity.facility.v1.
    await expectEventually(
      async () =>
        expect(
          await withSql(stack.lab.db.url, async (sql) => (await sql.query(`SELECT code, lab_quality_level FROM facilities WHERE code = ANY($1) ORDER BY code`, [facilities.map((f) => f.code)])).rows),
        ).toEqual(facilities.map((f) => ({ code: f.code, lab_quality_level: f.labQualityLevel })).sort((a, b) => a.code.localeCompare(b.code))),
      WAIT,
    );
  }, 240_000);

  afterAll(async () => {
    await events?.stop();
    await stack?.stop();
  });

  it('reuses the still-valid results (one known from XML alone), repeats the others with their reasons, records the decisions, and a withdrawn consent denies', async () => {
    // 1. The regional centre (lab level 1) measured creatinine yesterday.
    const lowLk = `SS.${randomBytes(3).toString('hex')}`;
    const atLow = await submitXml130(
      stack.lab.base,
      await facilityHeaders(issuer, LOW_DISTRICT, LAB_SCOPES.ingest),
      xml130File(LOW_DISTRICT, [
        {
          xml1: xml1(LOW_DISTRICT, lowLk, patient, { NGAY_VAO: yesterday, NGAY_RA: new Date(yesterday.getTime() + 2 * HOUR) }),
          xml3: [xml3(lowLk, 1, CODES.creatinine.service, yesterday)],
          xml4: [xml4(lowLk, 1, CODES.creatinine.service, { MA_CHI_SO: CODES.creatinine.indicator, TEN_CHI_SO: 'Creatinin', GIA_TRI: '92', DON_VI_DO: 'umol/L', NGAY_KQ: new Date(yesterday.getTime() + HOUR) })],
        },
      ]),
    );
    // 2. The rated district hospital: a blood count five days ago; today glucose ("5,6" in "mmol/l"), a blood culture (negative) and a chest X-ray.
    const [oldLk, todayLk] = [`DD.${randomBytes(3).toString('hex')}`, `DD.${randomBytes(3).toString('hex')}`];
    const resultedToday = new Date(recent.getTime() + HOUR);
    const atRated = await submitXml130(
      stack.lab.base,
      await facilityHeaders(issuer, RATED_DISTRICT, LAB_SCOPES.ingest),
      xml130File(RATED_DISTRICT, [
        {
          xml1: xml1(RATED_DISTRICT, oldLk, patient, { NGAY_VAO: fiveDaysAgo, NGAY_RA: new Date(fiveDaysAgo.getTime() + 2 * HOUR) }),
          xml3: [xml3(oldLk, 1, CODES.cbc.service, fiveDaysAgo, { DON_GIA_BV: 46200 })],
          xml4: [xml4(oldLk, 1, CODES.cbc.service, { MA_CHI_SO: CODES.cbc.wbc, TEN_CHI_SO: 'Số lượng bạch cầu (WBC)', GIA_TRI: '7,2', DON_VI_DO: 'G/L', NGAY_KQ: new Date(fiveDaysAgo.getTime() + HOUR) })],
        },
        {
          xml1: xml1(RATED_DISTRICT, todayLk, patient, { NGAY_VAO: recent, NGAY_RA: new Date(recent.getTime() + 2 * HOUR) }),
          xml3: [
            xml3(todayLk, 1, CODES.glucose.service, recent),
            xml3(todayLk, 2, CODES.bloodCulture.service, recent, { DON_GIA_BV: 288000 }),
            xml3(todayLk, 3, CODES.chestXray.service, recent, { DON_GIA_BV: 65400, MA_MAY: 'XQ-DR-01' }),
          ],
          xml4: [
            xml4(todayLk, 1, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, TEN_CHI_SO: 'Glucose máu', GIA_TRI: '5,6', DON_VI_DO: 'mmol/l', NGAY_KQ: resultedToday }),
            xml4(todayLk, 2, CODES.bloodCulture.service, { MA_CHI_SO: CODES.bloodCulture.indicator, TEN_CHI_SO: 'Cấy máu', GIA_TRI: 'Âm tính', KET_LUAN: 'Không mọc vi khuẩn sau 5 ngày', NGAY_KQ: resultedToday }),
            xml4(todayLk, 3, CODES.chestXray.service, { TEN_CHI_SO: 'X-quang ngực thẳng', MO_TA: 'Bóng tim không to.', KET_LUAN: 'Chưa thấy tổn thương', NGAY_KQ: resultedToday, MA_BS_DOC_KQ: 'BS.0202' }),
          ],
        },
      ]),
    );
    // Each visit is stored once identity answered (at once here: it is up).
    for (const [facility, submission] of [
      [LOW_DISTRICT, atLow],
      [RATED_DISTRICT, atRated],
    ] as const) {
      const reader = await facilityHeaders(issuer, facility, LAB_SCOPES.read);
      await expectEventually(async () => expect((await getSubmission(stack.lab.base, reader, submission.submissionId)).visits.map((v) => v.outcome)).toEqual(submission.visits.map(() => 'stored')), WAIT);
    }

    // 3. The patient moves on to the provincial hospital, which registers them at its desk (its HIS → identity).
    const registered = await call(stack.identity.base, 'POST', '/v1/patients', await facilityHeaders(issuer, PROVINCIAL, 'system/Patient.cu system/Patient.rs'), {
      localId: provincialLocalId,
      fullName: patient.hoTen,
      birthDate: `${patient.ngaySinh.slice(0, 4)}-${patient.ngaySinh.slice(4, 6)}-${patient.ngaySinh.slice(6, 8)}`,
      sex: patient.gioiTinh,
      identifiers: [{ system: 'cccd', value: patient.cccd }],
    });
    expect(registered.status).toBeLessThan(300);
    const patientId = String(registered.body['enterprisePatientId']);
    // The lab's registry learns the provincial hospital's link from identity.patient.v1 (what a referral check rests on).
    await expectEventually(
      async () =>
        expect(await withSql(stack.lab.db.url, async (sql) => (await sql.query(`SELECT enterprise_patient_id FROM patient_links WHERE facility_code = $1`, [PROVINCIAL])).rows)).toEqual([
          { enterprise_patient_id: patientId },
        ]),
      WAIT,
    );

    // 4. At the desk, the patient consents to sharing lab and imaging results for treatment and referral with those treating them.
    const consentWriter = await facilityHeaders(issuer, PROVINCIAL, 'system/Consent.c');
    const grant = {
      enterprisePatientId: patientId,
      decision: 'grant',
      scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], grantees: [{ kind: 'care-relationship' }] },
      evidence: { channel: 'in-person', recordedBy: 'NV-0042', informedOfSensitivity: true },
    };
    let consentId = '';
    // consent-service learns the patient from identity's events too: 422 on #/enterprisePatientId until then.
    await expectEventually(async () => {
      const recorded = await call(stack.consent?.base ?? '', 'POST', '/v1/consents', consentWriter, grant);
      expect(recorded.status).toBe(201);
      consentId = String(recorded.body['consentId']);
    }, WAIT);

    // 5. The provincial hospital's reuse check, by the CCCD its HIS holds (looked up through identity, acting for it).
    const check = await runCheck({ cccd: patient.cccd });
    expect(check).toMatchObject({ enterprisePatientId: patientId, requestingFacility: PROVINCIAL, purpose: 'referral' });
    expect(check.ruleSetVersion).toMatch(/^20\d\d-/);
    const tests = byTest(check);
    expect(Object.fromEntries([...tests].map(([code, t]) => [code, t.outcome === 'REUSE_CANDIDATE' ? 'REUSE_CANDIDATE' : t.reason]))).toEqual({
      GLU: 'REUSE_CANDIDATE',
      CXR: 'REUSE_CANDIDATE',
      WBC: 'expired',
      CREA: 'lab-quality-below-requester',
      BCX: 'negative-microbiology',
      TSH: 'no-prior-result',
    });
    // The glucose is known from XML alone: no collection time, so its 24 h window runs from NGAY_TH_YL (performed), and the record says so.
    const glucose = tests.get('GLU')?.candidate;
    expect(glucose).toMatchObject({
      performingFacility: RATED_DISTRICT,
      lab: { facilityCode: RATED_DISTRICT, labQualityLevel: '3' },
      value: { kind: 'quantity', value: 5.6 },
      unit: { original: 'mmol/l', ucum: 'mmol/L' },
      performedAt: recent.toISOString(),
      performedAtSource: 'xml3.NGAY_TH_YL',
      collectedAt: null,
      windowFrom: 'performedAt',
      validUntil: new Date(recent.getTime() + 24 * HOUR).toISOString(),
    });
    expect(glucose?.missingFields).toEqual(expect.arrayContaining(['collectedAt', 'referenceRange']));
    expect(check.summary).toEqual({ tests: 6, reuseCandidates: 2, repeatRequired: 4, priceVndAvoidable: 21_500 + 65_400 });

    // 6. The doctor reuses the glucose and the X-ray, and orders a fresh blood count.
    const doctor = await provincialReader();
    for (const [testCode, decision, retestReason] of [
      ['GLU', 'reused', undefined],
      ['CXR', 'reused', undefined],
      ['WBC', 'retested', 'no-candidate'],
    ] as const) {
      const recorded = await lab('POST', `/v1/reuse-checks/${check.checkId}/decisions`, doctor, { testCode, decision, ...(retestReason ? { retestReason } : {}) });
      expect(recorded.status).toBe(201);
    }
    const stored = await lab('GET', `/v1/reuse-checks/${check.checkId}`, doctor);
    expect(stored.status).toBe(200);
    expect(stored.body['summary']).toMatchObject({ decided: 3, priceVndAvoided: 21_500 + 65_400 });

    // 7. Events: every stored result on lab.result.v1, the check and the decisions on lab.reuse.v1 — keyed by the patient, reuse without values.
    const ofPatient = (type: typeof LabResultFinalizedV1 | typeof LabReuseCheckedV1 | typeof LabReuseDecidedV1) => events.events(type).filter((e) => e.key === patientId);
    await expectEventually(() => expect(ofPatient(LabResultFinalizedV1).map((e) => (e.data['test'] as { catalogueCode: string }).catalogueCode).sort()).toEqual(['BCX', 'CREA', 'CXR', 'GLU', 'WBC']), WAIT);
    await expectEventually(() => expect(ofPatient(LabReuseCheckedV1).map((e) => e.data['checkId'])).toEqual([check.checkId]), WAIT);
    await expectEventually(() => expect(ofPatient(LabReuseDecidedV1)).toHaveLength(3), WAIT);
    for (const e of [...ofPatient(LabReuseCheckedV1), ...ofPatient(LabReuseDecidedV1)]) {
      expect(e.topic).toBe(Topics.labReuseV1.name);
      const text = JSON.stringify(e.data);
      expect(text).not.toContain('"value"');
      expect(text).not.toContain(patient.cccd);
      // The glucose value (5.6) is in no field; a substring test would also match a timestamp's "35.6…" seconds.
      expect(leafValues(e.data)).not.toContainEqual(expect.stringMatching(/^5[.,]6$/));
      expect(leafValues(e.data)).not.toContain(5.6);
    }

    // 8. The patient withdraws the consent: the same check (by the hospital's local id this time) repeats everything, consent-denied.
    const withdrawn = await call(stack.consent?.base ?? '', 'POST', `/v1/consents/${consentId}/withdrawal`, consentWriter, { evidence: grant.evidence });
    expect(withdrawn.status).toBeLessThan(300);
    const denied = await runCheck({ localId: provincialLocalId });
    expect(denied.enterprisePatientId).toBe(patientId);
    expect(denied.tests.map((t) => [t.testCode, t.outcome, t.reason, t.candidate])).toEqual(
      ['GLU', 'WBC', 'CREA', 'BCX', 'CXR', 'TSH'].map((code) => [code, 'REPEAT_REQUIRED', 'consent-denied', null]),
    );
  }, 240_000);
});

/** Every primitive reachable from a JSON value: what an event actually carries, field by field. */
function leafValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [value];
}
