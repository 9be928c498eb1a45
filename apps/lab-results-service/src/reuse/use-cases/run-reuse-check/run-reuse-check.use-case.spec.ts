import { type Actor } from '@lienthong/platform';
import { randomUUID } from 'node:crypto';
import { loadRuleSets } from '../../../config/rule-sets/load-rule-sets';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { type FacilityLab } from '../../../registry/domain/facility-lab';
import { InMemoryFacilityLabs, InMemoryPatientLinks, RecordingAuditTrail } from '../../../registry/testing/registry-fakes';
import { labResult } from '../../testing/lab-result.factory';
import { FakeConsentDecisions, FakePatientLookup, FakeUnitOfWork, InMemoryReuseChecks, InMemoryReuseResults, RecordingOutbox } from '../../testing/reuse-fakes';
import { type RunReuseCheckCommand, RunReuseCheckUseCase } from './run-reuse-check.use-case';

const PROVINCIAL = '79001'; // lab level 3: the requester
const DISTRICT = '79101'; // lab level 3 too
const COMMUNE = '79102'; // lab level 1, ISO 15189 for GLU
const HIV_CLINIC = '79103'; // sensitive
const CCCD = '079190000001';
const HOUR = 3_600_000;

const lab = (code: string, labQualityLevel: FacilityLab['labQualityLevel'], extra: Partial<FacilityLab> = {}): FacilityLab => ({
  code,
  level: 'basic',
  provinceCode: '79',
  labQualityLevel,
  iso15189Scope: [],
  sensitive: false,
  ...extra,
});

const provincial: Actor = { kind: 'facility', facilityCode: PROVINCIAL, subject: 'his-79001', scopes: ['system/Observation.rs'], purposeOfUse: 'treatment' };

function setup() {
  const uow = new FakeUnitOfWork();
  const results = new InMemoryReuseResults();
  const checks = new InMemoryReuseChecks();
  const patients = new InMemoryPatientLinks();
  const facilities = new InMemoryFacilityLabs([lab(PROVINCIAL, 3), lab(DISTRICT, 3), lab(COMMUNE, 1, { iso15189Scope: ['GLU'] }), lab(HIV_CLINIC, 3, { sensitive: true })]);
  const lookup = new FakePatientLookup();
  const consent = new FakeConsentDecisions();
  const outbox = new RecordingOutbox();
  const audit = new RecordingAuditTrail();
  const useCase = new RunReuseCheckUseCase(uow, results, checks, patients, facilities, lookup, consent, outbox, audit, loadRuleSets());
  const patient = randomUUID();
  patients.recordLink(undefined as never, { facilityCode: DISTRICT, localId: 'BN-1', enterprisePatientId: patient }, new Date());
  lookup.byCccd.set(CCCD, patient);
  const run = (command: Partial<RunReuseCheckCommand> = {}) =>
    useCase.execute({ actor: provincial, patient: { cccd: CCCD }, purpose: 'treatment', testCodes: ['GLU', 'HBA1C', 'CREA'], ...command });
  return { uow, results, checks, patients, lookup, consent, outbox, audit, run, patient };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LabResultError)) throw new Error(`expected a LabResultError, got ${String(error)}`);
  return { code: error.code, pointers: error.violations.map((v) => v.pointer), message: error.message };
};

describe('RunReuseCheckUseCase', () => {
  it('finds the patient by CCCD through identity (acting for the requester), answers per test, and records the check with its rule-set version, one event without values and one audit row', async () => {
    const kit = setup();
    const glucose = labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT });
    const creatinineOld = labResult({
      enterprisePatientId: kit.patient,
      performingFacility: DISTRICT,
      performedAt: new Date(Date.now() - 8 * 24 * HOUR).toISOString(),
      test: { catalogueCode: 'CREA', mohIndicatorCode: '2300511', serviceCode: '23.0051.1494', name: 'Creatinin' },
    });
    kit.results.versions.push(glucose, creatinineOld);

    const { check, candidates } = await kit.run();

    expect(kit.lookup.calls).toEqual([{ query: { by: 'cccd', cccd: CCCD }, actingFor: PROVINCIAL, purpose: 'treatment' }]);
    expect(check).toMatchObject({ enterprisePatientId: kit.patient, requestingFacility: PROVINCIAL, purpose: 'treatment', ruleSetVersion: '2026-08-draft', patientGivenAs: 'cccd' });
    expect(check.tests.map((t) => [t.testCode, t.outcome, t.reason, t.resultId, t.priceVnd])).toEqual([
      ['GLU', 'REUSE_CANDIDATE', null, glucose.resultId, 21_500],
      ['HBA1C', 'REPEAT_REQUIRED', 'no-prior-result', null, 101_000],
      ['CREA', 'REPEAT_REQUIRED', 'expired', null, 21_500],
    ]);
    const glu = check.tests[0];
    expect(glu?.windowFrom).toBe('performedAt');
    expect(glu?.validUntil?.toISOString()).toBe(new Date(Date.parse(glucose.performedAt ?? '') + 24 * HOUR).toISOString());
    expect(candidates.get('GLU')).toMatchObject({ result: { value: { kind: 'quantity', value: 5.6 }, unit: { ucum: 'mmol/L' } }, lab: { code: DISTRICT, labQualityLevel: 3 } });
    expect(kit.checks.checks.get(check.checkId)).toEqual(check);

    // Consent: ONE batch call, one query per category, for the requester and the check's purpose.
    expect(kit.consent.batches).toEqual([[{ enterprisePatientId: kit.patient, facilityCode: PROVINCIAL, category: 'lab', purpose: 'treatment' }]]);

    expect(kit.outbox.events).toHaveLength(1);
    const event = kit.outbox.events[0];
    expect(event).toMatchObject({ type: 'vn.lienthong.lab.reuse.checked', topic: 'lab.reuse.v1', key: kit.patient });
    expect(event?.data).toMatchObject({ checkId: check.checkId, ruleSetVersion: '2026-08-draft', requestingFacility: PROVINCIAL });
    expect(JSON.stringify(event?.data)).not.toMatch(/5\.6|mmol|Glucose|079190000001/);
    expect(kit.audit.entries).toEqual([
      expect.objectContaining({
        action: 'reuse-check.run',
        patientId: kit.patient,
        outcome: 'ok',
        detail: { checkId: check.checkId, purpose: 'treatment', ruleSetVersion: '2026-08-draft', patientGivenAs: 'cccd', tests: 3, candidates: 1, disclosedResults: [glucose.resultId] },
      }),
    ]);
    expect(JSON.stringify(kit.audit.entries)).not.toMatch(/079190000001|5\.6/);
  });

  it('consent denied for a category → consent-denied for its tests, the others answered', async () => {
    const kit = setup();
    kit.results.versions.push(
      labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT }),
      labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT, value: { kind: 'coded', code: 'negative', text: 'Âm tính' }, test: { mohIndicatorCode: '2401521', serviceCode: '24.0152.1715', consentCategory: 'hiv' } }),
    );
    kit.consent.decide = (q) => (q.category === 'hiv' ? { decision: 'deny', reason: 'no-consent', basis: [], obligations: [] } : { decision: 'permit', reason: 'consent-granted', basis: [], obligations: [] });
    const { check, candidates } = await kit.run({ testCodes: ['HIV', 'GLU'] });
    expect(kit.consent.batches.map((b) => b.map((q) => q.category))).toEqual([['hiv', 'lab']]);
    expect(check.tests.map((t) => [t.testCode, t.outcome, t.reason])).toEqual([
      ['HIV', 'REPEAT_REQUIRED', 'consent-denied'],
      ['GLU', 'REUSE_CANDIDATE', null],
    ]);
    expect([...candidates.keys()]).toEqual(['GLU']);
  });

  it('a permit that excludes the category asked does not count', async () => {
    const kit = setup();
    kit.results.versions.push(labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT }));
    kit.consent.decide = () => ({ decision: 'permit', reason: 'consent-granted', basis: [], obligations: [{ code: 'exclude-categories', categories: ['lab'] }] });
    const { check } = await kit.run({ testCodes: ['GLU'] });
    expect(check.tests.map((t) => t.reason)).toEqual(['consent-denied']);
  });

  it('the decision point unavailable → consent-denied for every test (the client fails closed), and the check is still recorded', async () => {
    const kit = setup();
    kit.results.versions.push(labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT }));
    kit.consent.unavailable = true;
    const { check, candidates } = await kit.run();
    expect(check.tests.map((t) => [t.testCode, t.reason])).toEqual([
      ['GLU', 'consent-denied'],
      ['HBA1C', 'consent-denied'],
      ['CREA', 'consent-denied'],
    ]);
    expect(candidates.size).toBe(0);
    expect(kit.outbox.events).toHaveLength(1);
  });

  it('weighs the latest version: an amendment replaces, a cancellation withdraws', async () => {
    const kit = setup();
    const glucose = labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT });
    const creatinine = labResult({ enterprisePatientId: kit.patient, performingFacility: DISTRICT, test: { mohIndicatorCode: '2300511', serviceCode: '23.0051.1494' } });
    kit.results.versions.push(glucose, { ...glucose, version: 2, status: 'amended', value: { kind: 'quantity', value: 6.1, comparator: null } }, creatinine, { ...creatinine, version: 2, status: 'cancelled' });
    const { check, candidates } = await kit.run({ testCodes: ['GLU', 'CREA'] });
    expect(check.tests.map((t) => [t.testCode, t.outcome, t.reason, t.resultVersion])).toEqual([
      ['GLU', 'REUSE_CANDIDATE', null, 2],
      ['CREA', 'REPEAT_REQUIRED', 'no-prior-result', null],
    ]);
    expect(candidates.get('GLU')?.result.value).toEqual({ kind: 'quantity', value: 6.1, comparator: null });
  });

  it('lab quality: a level-1 lab is below the provincial requester, unless ISO 15189 accredited for the test', async () => {
    const kit = setup();
    kit.results.versions.push(
      labResult({ enterprisePatientId: kit.patient, performingFacility: COMMUNE }),
      labResult({ enterprisePatientId: kit.patient, performingFacility: COMMUNE, test: { mohIndicatorCode: '2300511', serviceCode: '23.0051.1494' } }),
    );
    const { check } = await kit.run({ testCodes: ['GLU', 'CREA'] });
    expect(check.tests.map((t) => [t.testCode, t.outcome, t.reason])).toEqual([
      ['GLU', 'REUSE_CANDIDATE', null],
      ['CREA', 'REPEAT_REQUIRED', 'lab-quality-below-requester'],
    ]);
  });

  it('a sensitive facility’s results are weighed only for that facility: for anyone else they do not exist', async () => {
    const kit = setup();
    kit.results.versions.push(labResult({ enterprisePatientId: kit.patient, performingFacility: HIV_CLINIC }));
    const { check } = await kit.run({ testCodes: ['GLU'] });
    expect(check.tests.map((t) => t.reason)).toEqual(['no-prior-result']);
  });

  it('a merged patient’s id is answered as its survivor’s', async () => {
    const kit = setup();
    const survivor = randomUUID();
    kit.patients.markMerged(undefined as never, kit.patient, survivor);
    kit.results.versions.push(labResult({ enterprisePatientId: survivor, performingFacility: DISTRICT }));
    const { check } = await kit.run({ patient: { enterprisePatientId: kit.patient.toUpperCase() }, testCodes: ['GLU'] });
    expect(check).toMatchObject({ enterprisePatientId: survivor, patientGivenAs: 'enterprise-id' });
    expect(check.tests.map((t) => t.outcome)).toEqual(['REUSE_CANDIDATE']);
    expect(kit.outbox.events[0]?.key).toBe(survivor);
    expect(kit.lookup.calls).toEqual([]);
    // Consent is asked about the id given while the results are read, then again about the survivor: the answer rests on the survivor's.
    expect(kit.consent.batches.map((b) => b[0]?.enterprisePatientId)).toEqual([kit.patient, survivor]);
  });

  it('a local id is looked up as the requester’s own; another facility’s local id is refused', async () => {
    const kit = setup();
    kit.lookup.byLocalId.set(`${PROVINCIAL}/BV-77`, kit.patient);
    const { check } = await kit.run({ patient: { localId: 'BV-77' }, testCodes: ['GLU'] });
    expect(check.patientGivenAs).toBe('local-id');
    expect(kit.lookup.calls[0]?.query).toEqual({ by: 'local-id', facilityCode: PROVINCIAL, localId: 'BV-77' });
    expect(await refusal(kit.run({ patient: { facility: DISTRICT, localId: 'BN-1' } }))).toMatchObject({ code: LabResultErrorCode.Validation, pointers: ['#/patient/facility'] });
  });

  it('referral only with the requester’s own link to the patient', async () => {
    const kit = setup();
    expect(await refusal(kit.run({ purpose: 'referral' }))).toMatchObject({ code: LabResultErrorCode.NoCareRelationship, message: expect.stringMatching(/own link to the patient/) });
    kit.patients.recordLink(undefined as never, { facilityCode: PROVINCIAL, localId: 'BV-77', enterprisePatientId: kit.patient }, new Date());
    const { check } = await kit.run({ purpose: 'referral' });
    expect(check.purpose).toBe('referral');
    expect(kit.consent.batches.at(-1)?.[0]?.purpose).toBe('referral');
  });

  it('refuses, storing nothing: an unknown CCCD (422 #/patient), an unknown enterprise id, a time before any rule set; identity down → dependency-unavailable', async () => {
    const kit = setup();
    expect(await refusal(kit.run({ patient: { cccd: '079190000002' } }))).toMatchObject({ code: LabResultErrorCode.UnknownPatient, pointers: ['#/patient'] });
    expect(await refusal(kit.run({ patient: { enterprisePatientId: randomUUID() } }))).toMatchObject({ code: LabResultErrorCode.UnknownPatient, pointers: ['#/patient/enterprisePatientId'] });
    expect(await refusal(kit.run({ at: new Date('2026-07-31T16:59:59Z') }))).toMatchObject({ code: LabResultErrorCode.Validation, pointers: ['#/at'] });
    kit.lookup.unavailable = true;
    expect(await refusal(kit.run())).toMatchObject({ code: LabResultErrorCode.DependencyUnavailable });
    expect([kit.checks.checks.size, kit.outbox.events.length, kit.audit.entries.length]).toEqual([0, 0, 0]);
    // Only the unknown enterprise id got as far as the overlapped consent question (a deny for a patient consent does not know).
    expect(kit.consent.batches.map((b) => b[0]?.enterprisePatientId)).toHaveLength(1);
  });

  it('a service code names every test performed under it (a CBC: WBC, HGB, PLT); a code the rule set does not know is unknown-test; no consent call when no test is known', async () => {
    const kit = setup();
    const { check } = await kit.run({ testCodes: ['22.0121.1369', 'hgb', 'ZZZ'] });
    expect(check.tests.map((t) => [t.testCode, t.askedAs, t.reason])).toEqual([
      ['WBC', '22.0121.1369', 'no-prior-result'],
      ['HGB', '22.0121.1369', 'no-prior-result'],
      ['PLT', '22.0121.1369', 'no-prior-result'],
      ['ZZZ', 'ZZZ', 'unknown-test'],
    ]);
    const before = kit.consent.batches.length;
    const unknown = await kit.run({ testCodes: ['ZZZ'] });
    expect(unknown.check.tests.map((t) => t.reason)).toEqual(['unknown-test']);
    expect(kit.consent.batches.length).toBe(before);
  });

  it('uses the rule set in effect at `at` and records its version', async () => {
    const kit = setup();
    const { check } = await kit.run({ at: new Date('2027-02-01T00:00:00+07:00') });
    expect(check.ruleSetVersion).toBe('2027-01-circular-placeholder');
    expect(kit.outbox.events[0]?.data['ruleSetVersion']).toBe('2027-01-circular-placeholder');
  });
});
