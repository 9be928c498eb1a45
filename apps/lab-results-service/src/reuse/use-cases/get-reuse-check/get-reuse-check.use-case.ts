import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { ReuseChecks, type StoredCheck, type StoredDecision } from '../../ports/reuse-checks.port';

export type CheckWithDecisions = StoredCheck & { readonly decisions: readonly StoredDecision[] };

/** No such check — also what another facility's check is: its existence is not confirmed. */
export function unknownCheck(): LabResultError {
  return new LabResultError(LabResultErrorCode.NotFound, 'no such reuse check');
}

/** Whether the facility ran the check (only it reads the check or decides on it). */
export function isOwnCheck(check: StoredCheck, facility: string): boolean {
  return check.requestingFacility === facility;
}

/**
 * A check as stored, for the facility that ran it: each test's outcome, the candidate's identity and
 * validity (never its value: those were shown once, with the check's answer, under the consent asked
 * then), the rule-set version, and the decisions recorded. The read is audited; another facility's
 * check is not found (audited as denied).
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
    const check = await this.uow.read(async (db) => {
      const found = await this.checks.find(db, checkId);
      if (found === undefined) return undefined;
      // Another facility's check: 404 as for none, and the attempt audited as denied.
      const own = isOwnCheck(found, facility);
      this.audit.append(db, actor, [
        { action: 'reuse-check.read', patientId: found.enterprisePatientId, outcome: own ? 'ok' : 'denied', detail: own ? { checkId: found.checkId, decisions: found.decisions.length } : { checkId: found.checkId } },
      ]);
      return own ? found : undefined;
    });
    if (check === undefined) throw unknownCheck();
    return check;
  }
}
