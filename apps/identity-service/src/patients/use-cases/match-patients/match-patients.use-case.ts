import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { mayDisclosePatient, patientView, type PatientView } from '../../domain/disclosure';
import { matchableFrom, PatientMatcher } from '../../domain/patient-matcher';
import { parseRegistration } from '../../domain/registration-input';
import { AuditTrail } from '../../ports/audit-trail.port';
import { PatientStore } from '../../ports/patient-store.port';
import { PatientResolver } from '../patient-resolver';
import { viewerOf } from '../viewer';

export type MatchGrade = 'certain' | 'probable' | 'possible';

export interface PatientMatch {
  readonly view: PatientView;
  /** Fellegi–Sunter weight in bits. */
  readonly weight: number;
  readonly grade: MatchGrade;
}

const MAX_RESULTS = 10;
const MAX_CANDIDATES = 200;

/**
 * PDQm-style `$match`: demographics (and identifiers) in, ranked candidates out. An exact active CCCD
 * is 'certain'; otherwise candidates the matcher would link are 'probable' and those it would send to
 * review 'possible'. Reveals who exists across facilities, so it needs the cross-reference scope;
 * results are limited to patients with a link the caller may see.
 */
@Injectable()
export class MatchPatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly resolver: PatientResolver,
    private readonly audit: AuditTrail,
    private readonly matcher: PatientMatcher,
    private readonly crypto: IdentifierCrypto,
  ) {}

  /** `input` has the registration shape (localId optional here); the FHIR adapter maps Parameters onto it. */
  async execute(actor: Actor, input: Record<string, unknown>, onlyCertain: boolean): Promise<PatientMatch[]> {
    const viewer = viewerOf(actor);
    if (!viewer.canCrossReference) throw new IdentityError(IdentityErrorCode.CrossFacilityForbidden, '$match needs the cross-reference scope');
    const registration = parseRegistration({ localId: '$match', ...input });
    const withIndex = registration.identifiers.map((i) => ({ ...i, blindIndex: this.crypto.blindIndex(i.system, i.indexValue) }));
    const incoming = matchableFrom(registration.demographics, withIndex.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex));
    const keys = this.matcher.queryKeys(incoming).map((k) => this.crypto.blindIndex('blocking', k).subarray(0, 16));
    const cccd = withIndex.find((i) => i.system === 'cccd');

    return this.uow.read(async (tx) => {
      const scored = new Map<string, { weight: number; grade: MatchGrade }>();
      if (cccd) {
        for (const id of await this.patients.patientIdsByIdentifier(tx, 'cccd', cccd.blindIndex, true)) scored.set(id, { weight: Number.POSITIVE_INFINITY, grade: 'certain' });
      }
      for (const c of await this.patients.candidates(tx, keys, MAX_CANDIDATES)) {
        if (scored.has(c.id)) continue;
        const verdict = this.matcher.decide(incoming, [{ id: c.id, patient: c }]);
        if (verdict.best === undefined || verdict.decision === 'new') continue;
        scored.set(c.id, { weight: verdict.best.score, grade: verdict.decision === 'link' ? 'probable' : 'possible' });
      }
      const ranked = [...scored.entries()].filter(([, s]) => !onlyCertain || s.grade === 'certain').sort((a, b) => b[1].weight - a[1].weight);
      const resolved = await this.resolver.byIds(tx, ranked.map(([id]) => id), viewer.facilityCode);
      const results: PatientMatch[] = [];
      ranked.forEach(([, s], index) => {
        const r = resolved[index];
        if (results.length >= MAX_RESULTS || !r || r.redirectedFrom !== undefined) return;
        if (!mayDisclosePatient(r.facts.links, viewer, r.sensitiveFacilities)) return;
        results.push({ view: patientView(r.facts, viewer, r.sensitiveFacilities, (i) => this.crypto.decrypt(i.system, i.encrypted)), weight: s.weight, grade: s.grade });
      });
      this.audit.append(
        tx,
        actor,
        results.length
          ? results.map((r) => ({ action: 'patient.match', patientId: r.view.enterprisePatientId, outcome: 'success', detail: { grade: r.grade } }))
          : [{ action: 'patient.match', patientId: null, outcome: 'not-found' }],
      );
      return results;
    });
  }
}
