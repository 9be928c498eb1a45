import { advisoryLockKey } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { randomUUID } from 'node:crypto';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { RecordingAuditTrail } from '../../../registry/testing/registry-fakes';
import { type StoredCheck } from '../../ports/reuse-checks.port';
import { FakeUnitOfWork, InMemoryReuseChecks, RecordingOutbox } from '../../testing/reuse-fakes';
import { GetReuseCheckUseCase } from '../get-reuse-check/get-reuse-check.use-case';
import { type RecordReuseDecisionCommand, RecordReuseDecisionUseCase } from './record-reuse-decision.use-case';

const PROVINCIAL = '79001';
const OTHER = '79002';
const facility = (code: string): Actor => ({ kind: 'facility', facilityCode: code, subject: `his-${code}`, scopes: ['system/Observation.rs'], purposeOfUse: 'treatment' });

function storedCheck(): StoredCheck {
  const common = { askedAs: '', consentCategory: 'lab' as const, resultVersion: null, performingFacility: null, validUntil: null, windowFrom: null };
  return {
    checkId: randomUUID(),
    enterprisePatientId: randomUUID(),
    requestingFacility: PROVINCIAL,
    purpose: 'referral',
    ruleSetVersion: '2026-08-draft',
    at: new Date(),
    checkedAt: new Date(),
    requestedBy: 'his-79001',
    patientGivenAs: 'cccd',
    tests: [
      {
        ...common,
        position: 0,
        testCode: 'GLU',
        askedAs: '2300751',
        catalogueCode: 'GLU',
        outcome: 'REUSE_CANDIDATE',
        reason: null,
        resultId: randomUUID(),
        resultVersion: 2,
        performingFacility: '79101',
        validUntil: new Date(Date.now() + 3_600_000),
        windowFrom: 'performedAt',
        priceVnd: 21_500,
      },
      { ...common, position: 1, testCode: 'HBA1C', askedAs: 'HBA1C', catalogueCode: 'HBA1C', outcome: 'REPEAT_REQUIRED', reason: 'expired', resultId: null, priceVnd: 101_000 },
    ],
  };
}

function setup() {
  const uow = new FakeUnitOfWork();
  const checks = new InMemoryReuseChecks();
  const outbox = new RecordingOutbox();
  const audit = new RecordingAuditTrail();
  const check = storedCheck();
  checks.insert(undefined as never, check);
  const useCase = new RecordReuseDecisionUseCase(uow, checks, outbox, audit);
  const decide = (command: Partial<RecordReuseDecisionCommand>) => useCase.execute({ actor: facility(PROVINCIAL), checkId: check.checkId, testCode: 'GLU', decision: 'reused', ...command });
  return { uow, checks, outbox, audit, check, decide, get: new GetReuseCheckUseCase(uow, checks, audit) };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LabResultError)) throw new Error(`expected a LabResultError, got ${String(error)}`);
  return { code: error.code, pointers: error.violations.map((v) => v.pointer), rules: error.violations.map((v) => v.rule) };
};

describe('RecordReuseDecisionUseCase', () => {
  it('a reuse of a candidate: the decision with the check’s rule-set version, an event with the price avoided and no value, an audit row; under the check’s lock', async () => {
    const kit = setup();
    const decision = await kit.decide({ testCode: '2300751' });
    const glucose = kit.check.tests[0];
    expect(decision).toMatchObject({ checkId: kit.check.checkId, testCode: 'GLU', decision: 'reused', retestReason: null, resultId: glucose?.resultId, priceAvoidedVnd: 21_500, ruleSetVersion: '2026-08-draft', decidedBy: 'his-79001' });
    expect(kit.outbox.events).toEqual([
      {
        type: 'vn.lienthong.lab.reuse.decided',
        topic: 'lab.reuse.v1',
        key: kit.check.enterprisePatientId,
        data: expect.objectContaining({ decisionId: decision.decisionId, testCode: 'GLU', decision: 'reused', priceAvoidedVnd: 21_500, requestingFacility: PROVINCIAL, resultId: glucose?.resultId }),
      },
    ]);
    expect(kit.audit.entries).toEqual([expect.objectContaining({ action: 'reuse-decision.record', patientId: kit.check.enterprisePatientId, outcome: 'reused' })]);
    expect(kit.uow.runs).toEqual([[advisoryLockKey('lab-reuse-decision', kit.check.checkId)]]);
  });

  it('a re-test: of a candidate with its reason (nothing avoided), without one as no-candidate', async () => {
    const kit = setup();
    expect(await kit.decide({ decision: 'retested', retestReason: 'clinical-change' })).toMatchObject({ retestReason: 'clinical-change', priceAvoidedVnd: 0 });
    expect(await kit.decide({ testCode: 'hba1c', decision: 'retested' })).toMatchObject({ testCode: 'HBA1C', retestReason: 'no-candidate', resultId: null, priceAvoidedVnd: 0 });
    expect(kit.outbox.events.map((e) => e.data['priceAvoidedVnd'])).toEqual([0, 0]);
  });

  it('once per test: a second decision is a conflict', async () => {
    const kit = setup();
    await kit.decide({});
    expect(await refusal(kit.decide({ decision: 'retested', retestReason: 'other' }))).toMatchObject({ code: LabResultErrorCode.Conflict });
    expect(kit.outbox.events).toHaveLength(1);
  });

  it('refuses, recording nothing: a reuse without a candidate, a test not in the check, another facility, an unknown check', async () => {
    const kit = setup();
    expect(await refusal(kit.decide({ testCode: 'HBA1C' }))).toEqual({ code: LabResultErrorCode.Validation, pointers: ['#/decision'], rules: ['no-candidate'] });
    expect(await refusal(kit.decide({ decision: 'retested' }))).toEqual({ code: LabResultErrorCode.Validation, pointers: ['#/retestReason'], rules: ['required'] });
    expect(await refusal(kit.decide({ testCode: 'TSH' }))).toEqual({ code: LabResultErrorCode.Validation, pointers: ['#/testCode'], rules: ['not-in-check'] });
    expect(await refusal(kit.decide({ checkId: randomUUID() }))).toMatchObject({ code: LabResultErrorCode.NotFound });
    expect([kit.checks.decisions.length, kit.outbox.events.length, kit.audit.entries.length]).toEqual([0, 0, 0]);
    // Another facility's check is as unknown as none (its existence is not confirmed); the attempt is audited as denied.
    expect(await refusal(kit.decide({ actor: facility(OTHER) }))).toMatchObject({ code: LabResultErrorCode.NotFound });
    expect([kit.checks.decisions.length, kit.outbox.events.length]).toEqual([0, 0]);
    expect(kit.audit.entries).toEqual([expect.objectContaining({ action: 'reuse-decision.record', patientId: kit.check.enterprisePatientId, outcome: 'denied' })]);
  });
});

describe('GetReuseCheckUseCase', () => {
  it('answers the facility that ran the check, with its decisions, and audits the read; another facility’s is a 404 as none is, audited as denied', async () => {
    const kit = setup();
    await kit.decide({});
    const read = await kit.get.execute(facility(PROVINCIAL), kit.check.checkId);
    expect(read).toMatchObject({ checkId: kit.check.checkId, ruleSetVersion: '2026-08-draft', decisions: [{ testCode: 'GLU', decision: 'reused' }] });
    expect(kit.audit.entries.at(-1)).toMatchObject({ action: 'reuse-check.read', patientId: kit.check.enterprisePatientId, outcome: 'ok' });
    expect(await refusal(kit.get.execute(facility(OTHER), kit.check.checkId))).toMatchObject({ code: LabResultErrorCode.NotFound });
    expect(kit.audit.entries.at(-1)).toMatchObject({ action: 'reuse-check.read', patientId: kit.check.enterprisePatientId, outcome: 'denied', actor: expect.objectContaining({ facilityCode: OTHER }) });
    expect(await refusal(kit.get.execute(facility(PROVINCIAL), randomUUID()))).toMatchObject({ code: LabResultErrorCode.NotFound });
  });
});
