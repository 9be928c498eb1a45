import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { type Representative } from '../../domain/consent';
import { type StoredConsent } from '../../ports/consent-store.port';
import { ConsentAmender } from '../amend-consent';
import { type EvidenceInput, statementViolations, versionOf } from '../consent-statement';

export interface WithdrawConsentCommand {
  readonly actor: Actor;
  readonly consentId: string;
  readonly evidence: EvidenceInput;
  /** Who withdrew for the patient, when a legal representative did. */
  readonly representative?: Representative | undefined;
}

/**
 * Withdraws a granted consent from the moment it is recorded: version n+1 with status `withdrawn`,
 * carrying the scope it stops permitting, with the evidence of the withdrawal. Published as
 * ConsentWithdrawnV1 (its version is the withdrawal's); the cache is invalidated before the answer
 * leaves, so the very next decision on any replica denies. A refusal, or a consent already
 * withdrawn, cannot be withdrawn (409).
 */
@Injectable()
export class WithdrawConsentUseCase {
  constructor(private readonly amender: ConsentAmender) {}

  execute(command: WithdrawConsentCommand): Promise<StoredConsent> {
    return this.amender.amend(command.actor, command.consentId, {
      action: 'consent.withdraw',
      verb: 'withdraw',
      build: (_db, current, next) => {
        const version = versionOf(
          { consentId: current.consentId, version: next.version, enterprisePatientId: current.enterprisePatientId, status: 'withdrawn', facilityCode: next.facilityCode, at: next.at },
          current.scope,
          command.evidence,
          command.representative,
        );
        return Promise.resolve({ version, violations: statementViolations(version) });
      },
    });
  }
}
