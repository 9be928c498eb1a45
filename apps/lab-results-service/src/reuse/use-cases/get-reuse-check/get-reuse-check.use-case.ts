import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { ReuseChecks, type StoredCheck, type StoredDecision } from '../../ports/reuse-checks.port';

export type CheckWithDecisions = StoredCheck & { readonly decisions: readonly StoredDecision[] };

/** The check if it exists and is the facility's own: 404 when none, 403 when another facility ran it. */
export function ownCheck(check: CheckWithDecisions | undefined, facility: string, what: string): CheckWithDecisions {
  if (check === undefined) throw new LabResultError(LabResultErrorCode.NotFound, 'no such reuse check');
  if (check.requestingFacility !== facility) throw new LabResultError(LabResultErrorCode.Forbidden, `only the facility that ran a reuse check may ${what} it`);
  return check;
}

/**
 * A check as stored, for the facility that ran it: each test's outcome, the candidate's identity and
 * validity (never its value: those were shown once, with the check's answer, under the consent asked
 * then), the rule-set version, and the decisions recorded. The read is audited.
 */
@Injectable()
export class GetReuseCheckUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly checks: ReuseChecks,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, checkId: string): Promise<CheckWithDecisions> {
    const facility = requireActingFacility(actor);
    return this.uow.read(async (db) => {
      const check = ownCheck(await this.checks.find(db, checkId), facility, 'read');
      this.audit.append(db, actor, [{ action: 'reuse-check.read', patientId: check.enterprisePatientId, outcome: 'ok', detail: { checkId: check.checkId, decisions: check.decisions.length } }]);
      return check;
    });
  }
}
