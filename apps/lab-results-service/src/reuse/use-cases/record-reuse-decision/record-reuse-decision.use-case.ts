import { LabReuseDecidedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { advisoryLockKey, AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { type RetestReason, reuseDecision, type ReuseDecisionKind } from '../../domain/reuse-check';
import { ReuseChecks, type StoredDecision } from '../../ports/reuse-checks.port';
import { isOwnCheck, unknownCheck } from '../get-reuse-check/get-reuse-check.use-case';

export interface RecordReuseDecisionCommand {
  readonly actor: Actor;
  readonly checkId: string;
  /** The test's catalogue code, or the code it was asked by. */
  readonly testCode: string;
  readonly decision: ReuseDecisionKind;
  readonly retestReason?: RetestReason | undefined;
}

/**
 * The treating doctor's choice for one test of a check, recorded by the facility that ran it: reused
 * (only a REUSE_CANDIDATE; the test's price is avoided) or re-tested, and why. Once per test: a
 * second answer is a 409 (decisions of one check are serialised on an advisory lock). The decision,
 * its `lab.reuse.v1` event (no values; `priceAvoidedVnd` for analytics) and its audit row commit together.
 */
@Injectable()
export class RecordReuseDecisionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly checks: ReuseChecks,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
  ) {}

  async execute(command: RecordReuseDecisionCommand): Promise<StoredDecision> {
    const facility = requireActingFacility(command.actor);
    const recorded = await this.uow.run(
      async (tx) => {
        const check = await this.checks.find(tx, command.checkId);
        if (check === undefined) throw unknownCheck();
        if (!isOwnCheck(check, facility)) {
          // Another facility's check: 404 as for none, and the attempt audited as denied.
          this.audit.append(tx, command.actor, [{ action: 'reuse-decision.record', patientId: check.enterprisePatientId, outcome: 'denied', detail: { checkId: check.checkId } }]);
          return undefined;
        }
        const asked = command.testCode.trim();
        const test = check.tests.find((t) => t.testCode === asked.toUpperCase()) ?? check.tests.find((t) => t.askedAs === asked);
        if (test === undefined) {
          const message = `the check has no test ${asked} (it has ${check.tests.map((t) => t.testCode).join(', ')})`;
          throw new LabResultError(LabResultErrorCode.Validation, message, [{ pointer: '#/testCode', rule: 'not-in-check', message }]);
        }
        const earlier = check.decisions.find((d) => d.testCode === test.testCode);
        if (earlier !== undefined) {
          throw new LabResultError(LabResultErrorCode.Conflict, `the decision for ${test.testCode} was already recorded (${earlier.decision}, decision ${earlier.decisionId})`);
        }
        const verdict = reuseDecision(test, command.decision, command.retestReason);
        if (!verdict.ok) throw new LabResultError(LabResultErrorCode.Validation, verdict.message, [{ pointer: verdict.pointer, rule: verdict.rule, message: verdict.message }]);

        const decision: StoredDecision = {
          decisionId: uuidv7(),
          checkId: check.checkId,
          testCode: test.testCode,
          decision: command.decision,
          retestReason: verdict.retestReason,
          resultId: verdict.resultId,
          priceAvoidedVnd: verdict.priceAvoidedVnd,
          ruleSetVersion: check.ruleSetVersion,
          decidedAt: new Date(),
          decidedBy: command.actor.subject,
        };
        this.checks.insertDecision(tx, decision);
        this.outbox.append(tx, [
          outboxEvent(LabReuseDecidedV1, {
            decisionId: decision.decisionId,
            checkId: check.checkId,
            enterprisePatientId: check.enterprisePatientId,
            requestingFacility: check.requestingFacility,
            testCode: decision.testCode,
            decision: decision.decision,
            retestReason: decision.retestReason,
            resultId: decision.resultId,
            priceAvoidedVnd: decision.priceAvoidedVnd,
            decidedAt: decision.decidedAt.toISOString(),
          }),
        ]);
        this.audit.append(tx, command.actor, [
          {
            action: 'reuse-decision.record',
            patientId: check.enterprisePatientId,
            outcome: decision.decision,
            detail: { checkId: check.checkId, decisionId: decision.decisionId, testCode: decision.testCode, retestReason: decision.retestReason, resultId: decision.resultId, ruleSetVersion: decision.ruleSetVersion },
          },
        ]);
        return decision;
      },
      { locks: [advisoryLockKey('lab-reuse-decision', command.checkId.toLowerCase())] },
    );
    if (recorded === undefined) throw unknownCheck();
    return recorded;
  }
}
