import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { matchableFrom, PatientMatcher, type MatchablePatient } from '../../domain/patient-matcher';
import { parseRegistration } from '../../domain/registration-input';
import { PatientReader } from '../../persistence/patient-reader';
import { PatientRepository } from '../../persistence/patient.repository';
import { disclosableLinks } from '../../visibility/link-disclosure';
import { patientView, type PatientView } from '../../visibility/patient-view';

export type MatchGrade = 'certain' | 'probable' | 'possible';

export interface PatientMatch {
  readonly view: PatientView;
  /** Fellegi–Sunter weight in bits. */
  readonly weight: number;
  readonly grade: MatchGrade;
}

const MAX_RESULTS = 10;

/**
 * PDQm-style `$match`: demographics (and identifiers) in, ranked candidates out. An exact active
 * CCCD is 'certain'; otherwise candidates the matcher would link are 'probable' and those it would
 * send to review 'possible'. Reveals who exists across facilities, so it needs the cross-reference
 * scope; results are limited to patients with a link the caller may see.
 */
@Injectable()
export class MatchPatientsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly patients: PatientRepository,
    private readonly reader: PatientReader,
    private readonly matcher: PatientMatcher,
    private readonly crypto: IdentifierCrypto,
    private readonly audit: AuditWriter,
  ) {}

  /** `input` has the registration shape (localId optional here). */
  async execute(actor: Actor, input: Record<string, unknown>, onlyCertain: boolean): Promise<PatientMatch[]> {
    if (!actor.canCrossReference) {
      throw new PatientError(PatientErrorCode.CrossFacilityForbidden, '$match needs the cross-reference scope');
    }
    const registration = parseRegistration({ localId: '$match', ...input });
    const withIndex = registration.identifiers.map((i) => ({ ...i, blindIndex: this.crypto.blindIndex(i.system, i.indexValue) }));
    const incoming: MatchablePatient = matchableFrom(registration.demographics, withIndex.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex));
    return this.dataSource.transaction(async (manager) => {
      const scored = new Map<string, { weight: number; grade: MatchGrade }>();
      const cccd = withIndex.find((i) => i.system === 'cccd');
      if (cccd) {
        for (const id of await this.patients.patientIdsByIdentifier(manager, 'cccd', cccd.blindIndex, true)) scored.set(id, { weight: Number.POSITIVE_INFINITY, grade: 'certain' });
      }
      const keys = this.matcher.queryKeys(incoming).map((k) => this.crypto.blindIndex('blocking', k).subarray(0, 16));
      const candidates = await this.patients.candidates(manager, keys, 200);
      for (const c of candidates) {
        if (scored.has(c.patient.id)) continue;
        const verdict = this.matcher.decide(incoming, [{ id: c.patient.id, patient: matchableFrom(c.patient, c.bhytIndexes) }]);
        if (verdict.best === undefined || verdict.decision === 'new') continue;
        scored.set(c.patient.id, { weight: verdict.best.score, grade: verdict.decision === 'link' ? 'probable' : 'possible' });
      }
      const ranked = [...scored.entries()].filter(([, s]) => !onlyCertain || s.grade === 'certain').sort((a, b) => b[1].weight - a[1].weight);
      const results: PatientMatch[] = [];
      for (const [id, s] of ranked) {
        if (results.length >= MAX_RESULTS) break;
        const resolved = await this.reader.load(manager, id);
        if (!resolved || disclosableLinks(resolved.facts.links, { actor, sensitiveFacilities: resolved.sensitiveFacilities }).length === 0) continue;
        results.push({ view: patientView(resolved.facts, actor, resolved.sensitiveFacilities, this.crypto), weight: s.weight, grade: s.grade });
      }
      await this.audit.write(
        manager,
        actor,
        results.length
          ? results.map((r) => ({ action: 'patient.match', patientId: r.view.enterprisePatientId, outcome: 'success' as const, detail: { grade: r.grade } }))
          : [{ action: 'patient.match', patientId: null, outcome: 'not-found' }],
      );
      return results;
    });
  }
}
