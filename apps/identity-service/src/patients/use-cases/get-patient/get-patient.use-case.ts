import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { mayDisclosePatient, patientView, type PatientView } from '../../domain/disclosure';
import { type ResolvedPatient } from '../../domain/patient';
import { AuditTrail } from '../../ports/audit-trail.port';
import { PatientResolver } from '../patient-resolver';
import { viewerOf } from '../viewer';

/**
 * Reads one enterprise patient (following a merge to its survivor). A caller the disclosure rule does
 * not let see the patient gets the same 404 as for an unknown id (a 403 would confirm it exists), and
 * the attempt is audited as denied. Audited whether found or not; the audit row is written before the
 * answer leaves, also when the answer is 404.
 */
@Injectable()
export class GetPatientUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly resolver: PatientResolver,
    private readonly audit: AuditTrail,
    private readonly crypto: IdentifierCrypto,
  ) {}

  /** The shaped view; `resolved` for transports that render their own format (FHIR). */
  async execute(actor: Actor, id: string): Promise<{ view: PatientView; resolved: ResolvedPatient }> {
    const viewer = viewerOf(actor);
    const resolved = await this.uow.read(async (tx) => {
      const [patient] = await this.resolver.byIds(tx, [id], viewer.facilityCode);
      const visible = patient !== undefined && mayDisclosePatient(patient.facts.links, viewer, patient.sensitiveFacilities);
      this.audit.append(tx, actor, [
        !patient
          ? { action: 'patient.read', patientId: id, outcome: 'not-found' }
          : visible
            ? { action: 'patient.read', patientId: patient.facts.patient.id, outcome: 'success', detail: patient.redirectedFrom ? { redirectedFrom: patient.redirectedFrom } : {} }
            : { action: 'patient.read', patientId: patient.facts.patient.id, outcome: 'denied', detail: { reason: 'not-disclosable' } },
      ]);
      return visible ? patient : undefined;
    });
    if (!resolved) throw new IdentityError(IdentityErrorCode.PatientNotFound, 'no patient with this id');
    const view = patientView(resolved.facts, viewer, resolved.sensitiveFacilities, (i) => this.crypto.decrypt(i.system, i.encrypted), resolved.redirectedFrom);
    return { view, resolved };
  }
}
