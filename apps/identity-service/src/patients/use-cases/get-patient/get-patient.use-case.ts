import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { PatientReader, type ResolvedPatient } from '../../persistence/patient-reader';
import { patientView, type PatientView } from '../../visibility/patient-view';

/**
 * Reads one enterprise patient (following a merge to its survivor). Audited whether found or not;
 * the audit row commits even when the answer is 404.
 */
@Injectable()
export class GetPatientUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reader: PatientReader,
    private readonly crypto: IdentifierCrypto,
    private readonly audit: AuditWriter,
  ) {}

  /** The shaped view; `resolved` for transports that render their own format (FHIR). */
  async execute(actor: Actor, id: string): Promise<{ view: PatientView; resolved: ResolvedPatient }> {
    // No transaction: the audit row is committed (autocommit insert) before the answer leaves, and a
    // failed audit insert fails the request; the read itself is one statement plus the sensitivity check.
    const manager = this.dataSource.manager;
    const resolved = await this.reader.resolve(manager, id);
    await this.audit.write(manager, actor, [
      resolved
        ? { action: 'patient.read', patientId: resolved.facts.patient.id, outcome: 'success', detail: resolved.redirectedFrom ? { redirectedFrom: resolved.redirectedFrom } : {} }
        : { action: 'patient.read', patientId: id, outcome: 'not-found' },
    ]);
    if (!resolved) throw new PatientError(PatientErrorCode.PatientNotFound, 'no patient with this id');
    return { view: patientView(resolved.facts, actor, resolved.sensitiveFacilities, this.crypto, resolved.redirectedFrom), resolved };
  }
}
