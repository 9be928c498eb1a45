import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { type Representative } from '../../domain/consent';
import { type StoredConsent } from '../../ports/consent-store.port';
import { FacilityDirectory } from '../../ports/facility-directory.port';
import { ConsentAmender } from '../amend-consent';
import { type EvidenceInput, granteeViolations, periodViolations, type ScopeInput, scopeOf, statementViolations, versionOf } from '../consent-statement';

export interface ChangeConsentCommand {
  readonly actor: Actor;
  readonly consentId: string;
  /** The whole new scope: it replaces the previous one (nothing is inherited). */
  readonly scope: ScopeInput;
  readonly evidence: EvidenceInput;
  /** Who consented for the patient this time; none means the patient did (a child who came of age, say). */
  readonly representative?: Representative | undefined;
}

/**
 * A change of what a granted consent covers: version n+1 of the same consent, still a grant, with its
 * new scope and its own evidence. History is kept: the earlier versions stay readable, and a pending
 * end of the earlier period is no longer announced. Published as ConsentGrantedV1 with version n+1.
 */
@Injectable()
export class ChangeConsentUseCase {
  constructor(
    private readonly amender: ConsentAmender,
    private readonly facilities: FacilityDirectory,
  ) {}

  execute(command: ChangeConsentCommand): Promise<StoredConsent> {
    return this.amender.amend(command.actor, command.consentId, {
      action: 'consent.change',
      verb: 'change',
      build: async (db, current, next) => {
        const scope = scopeOf(command.scope, next.at);
        const version = versionOf(
          { consentId: current.consentId, version: next.version, enterprisePatientId: current.enterprisePatientId, status: 'granted', facilityCode: next.facilityCode, at: next.at },
          scope,
          command.evidence,
          command.representative,
        );
        const grantees = await granteeViolations(db, this.facilities, scope.grantees);
        return { version, violations: [...statementViolations(version), ...periodViolations(scope, next.at), ...grantees] };
      },
    });
  }
}
