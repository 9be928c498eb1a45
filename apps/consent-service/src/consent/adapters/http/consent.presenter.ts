import { type ConsentVersion, type Grantee, type Representative } from '../../domain/consent';
import { effectiveStatus, type EffectiveStatus } from '../../domain/disclosure';
import { type ConsentPage, type StoredConsent } from '../../ports/consent-store.port';

/** One version as REST shows it: times in ISO 8601. */
export interface ConsentVersionView {
  readonly version: number;
  readonly status: ConsentVersion['status'];
  readonly scope: {
    readonly purposes: readonly string[];
    readonly categories: readonly string[];
    readonly grantees: readonly Grantee[];
    readonly validFrom: string;
    readonly validUntil: string | null;
  };
  readonly evidence: {
    readonly channel: string;
    readonly reference: string | null;
    readonly documentSha256: string | null;
    readonly recordedBy: string;
    readonly recordedAtFacility: string;
    readonly recordedAt: string;
    readonly informedOfSensitivity: boolean;
  };
  readonly representative: Representative | null;
}

/** A consent as REST shows it: where it stands now, and its whole history, newest version first. */
export interface ConsentView {
  readonly consentId: string;
  readonly enterprisePatientId: string;
  /** Whose it was when recorded (differs after a merge moved it to the survivor). */
  readonly originalPatientId: string;
  /** The current version's status now: a grant whose period is over reads `expired`. */
  readonly status: EffectiveStatus;
  readonly currentVersion: number;
  readonly createdAt: string;
  readonly versions: readonly ConsentVersionView[];
}

export function restConsent(consent: StoredConsent, now: Date): ConsentView {
  const versions = [...consent.versions].sort((a, b) => b.version - a.version);
  const current = versions[0];
  if (current === undefined) throw new Error(`consent ${consent.consentId} has no version`);
  return {
    consentId: consent.consentId,
    enterprisePatientId: consent.enterprisePatientId,
    originalPatientId: consent.originalPatientId,
    status: effectiveStatus(current, now),
    currentVersion: current.version,
    createdAt: consent.createdAt.toISOString(),
    versions: versions.map(restVersion),
  };
}

export function restConsentPage(page: ConsentPage, now: Date): { readonly items: readonly ConsentView[]; readonly nextCursor: string | null } {
  return { items: page.items.map((c) => restConsent(c, now)), nextCursor: page.nextCursor };
}

function restVersion(v: ConsentVersion): ConsentVersionView {
  return {
    version: v.version,
    status: v.status,
    scope: {
      purposes: v.scope.purposes,
      categories: v.scope.categories,
      grantees: v.scope.grantees,
      validFrom: v.scope.validFrom.toISOString(),
      validUntil: v.scope.validUntil?.toISOString() ?? null,
    },
    evidence: { ...v.evidence, recordedAt: v.evidence.recordedAt.toISOString() },
    representative: v.representative,
  };
}

export const consentLocation = (consentId: string): string => `/v1/consents/${consentId}`;
