import type { Decision, DecisionReason, Obligation } from '@lienthong/contracts';
import {
  type DataCategory,
  type FacilityLevel,
  isSensitiveCategory,
  type PurposeOfUse,
  SENSITIVE_DATA_CATEGORIES,
} from '@lienthong/vn-standards';
import { type ConsentStatus, type ConsentVersion, childConsentMissing, type Grantee } from './consent';

/**
 * What the decision point knows about one patient, in the compact form it is cached in (times are
 * epoch milliseconds, so the state survives JSON unchanged). Every version is kept: a decision "at T"
 * uses the versions recorded by T.
 */
export interface ConsentState {
  readonly enterprisePatientId: string;
  /** identity-service has announced the patient. */
  readonly known: boolean;
  /** Facilities the patient is registered at (identity links): the `care-relationship` grantee. */
  readonly careFacilities: readonly string[];
  readonly versions: readonly StatementView[];
  readonly emergencyAccesses: readonly EmergencyAccessView[];
}

export interface StatementView {
  readonly consentId: string;
  readonly version: number;
  readonly status: ConsentStatus;
  readonly purposes: readonly PurposeOfUse[];
  readonly categories: readonly DataCategory[];
  readonly grantees: readonly Grantee[];
  readonly validFrom: number;
  readonly validUntil: number | null;
  readonly recordedAt: number;
  readonly representative: { readonly subjectBirthDate: string; readonly childConsented: boolean } | null;
}

export interface EmergencyAccessView {
  readonly id: string;
  readonly facilityCode: string;
  readonly grantedAt: number;
  readonly expiresAt: number;
}

/** The reading facility as the registry describes it. */
export interface FacilityProfile {
  readonly code: string;
  readonly level: FacilityLevel;
  readonly provinceCode: string;
}

/**
 * What happens where no consent speaks, per purpose: configuration with a version and an effective
 * date (deny by default), so a new decree is a new entry, not a code change.
 */
export interface DefaultPolicy {
  readonly version: string;
  readonly effectiveFrom: number;
  readonly decisions: Readonly<Record<PurposeOfUse, 'permit' | 'deny'>>;
}

export interface DecisionQueryAt {
  readonly facility: FacilityProfile | undefined;
  readonly facilityCode: string;
  readonly category: DataCategory;
  readonly purpose: PurposeOfUse;
  readonly at: number;
}

/** What a statement view is made of: a version without its evidence's details or the representative's name. */
export type StatementSource = Pick<ConsentVersion, 'consentId' | 'version' | 'status' | 'scope'> & {
  readonly evidence: Pick<ConsentVersion['evidence'], 'recordedAt'>;
  readonly representative: Pick<NonNullable<ConsentVersion['representative']>, 'subjectBirthDate' | 'childConsented'> | null;
};

export function statementView(v: StatementSource): StatementView {
  return {
    consentId: v.consentId,
    version: v.version,
    status: v.status,
    purposes: v.scope.purposes,
    categories: v.scope.categories,
    grantees: v.scope.grantees,
    // A withdrawal stops the grant from the moment it is recorded, whatever the grant's period said.
    validFrom: v.status === 'withdrawn' ? v.evidence.recordedAt.getTime() : v.scope.validFrom.getTime(),
    validUntil: v.status === 'withdrawn' ? null : (v.scope.validUntil?.getTime() ?? null),
    recordedAt: v.evidence.recordedAt.getTime(),
    representative: v.representative && { subjectBirthDate: v.representative.subjectBirthDate, childConsented: v.representative.childConsented },
  };
}

function granteeCovers(grantee: Grantee, facility: FacilityProfile, state: ConsentState): boolean {
  switch (grantee.kind) {
    case 'any-facility':
      return true;
    case 'facilities':
      return grantee.facilityCodes.includes(facility.code);
    case 'levels':
      return grantee.levels.includes(facility.level);
    case 'province':
      return grantee.provinceCode === facility.provinceCode;
    case 'care-relationship':
      return state.careFacilities.includes(facility.code);
  }
}

/** The latest version of each consent recorded by `at` (a later version replaces its scope entirely). */
function currentVersions(state: ConsentState, at: number): StatementView[] {
  const latest = new Map<string, StatementView>();
  for (const v of state.versions) {
    if (v.recordedAt > at) continue;
    const seen = latest.get(v.consentId);
    if (seen === undefined || v.version > seen.version) latest.set(v.consentId, v);
  }
  return [...latest.values()];
}

interface Evaluation {
  readonly winner: StatementView | undefined;
  /** A grant would have applied but its period is over. */
  readonly expired: StatementView | undefined;
}

/**
 * The statements that speak about (facility, category, purpose) at `at`, and the one that wins: the
 * latest recorded (a refusal or withdrawal beats every earlier grant; a later grant beats an earlier
 * refusal), a deny on a tie. A statement only ever speaks for what it names, so no grant widens another.
 */
function evaluate(current: readonly StatementView[], state: ConsentState, facility: FacilityProfile, category: DataCategory, purpose: PurposeOfUse, at: number): Evaluation {
  let winner: StatementView | undefined;
  let expired: StatementView | undefined;
  for (const s of current) {
    if (!s.purposes.includes(purpose) || !s.categories.includes(category)) continue;
    if (!s.grantees.some((g) => granteeCovers(g, facility, state))) continue;
    if (s.validFrom > at) continue;
    if (s.validUntil !== null && s.validUntil <= at) {
      if (s.status === 'granted') expired = s;
      continue;
    }
    if (
      winner === undefined ||
      s.recordedAt > winner.recordedAt ||
      (s.recordedAt === winner.recordedAt && s.status !== 'granted' && winner.status === 'granted')
    ) {
      winner = s;
    }
  }
  return { winner, expired };
}

export function policyAt(policies: readonly DefaultPolicy[], at: number): DefaultPolicy {
  let chosen: DefaultPolicy | undefined;
  for (const p of policies) if (p.effectiveFrom <= at && (chosen === undefined || p.effectiveFrom > chosen.effectiveFrom)) chosen = p;
  if (chosen === undefined) throw new Error('no default consent policy is in effect: the configuration must start before any decision');
  return chosen;
}

const deny = (reason: DecisionReason, extra: Partial<Decision> = {}): Decision => ({ decision: 'deny', reason, basis: [], obligations: [], ...extra });
const basisOf = (s: StatementView) => [{ consentId: s.consentId, version: s.version }];

/**
 * "May this facility read this category of this patient's data for this purpose at this time?"
 * Pure: the state, the facility profile and the policies in, the answer with its reason, the versions
 * it rests on and its obligations out.
 */
export function decide(state: ConsentState, query: DecisionQueryAt, policies: readonly DefaultPolicy[]): Decision {
  if (!state.known) return deny('unknown-patient');
  const { facility, category, purpose, at } = query;
  if (facility === undefined) return deny('unknown-facility');
  const current = currentVersions(state, at);
  const base = decideOne(state, current, facility, category, purpose, at, policies);
  if (base.decision === 'deny' || isSensitiveCategory(category)) return base;
  // A permit on ordinary data says which sensitive categories the reader must leave out.
  const excluded = SENSITIVE_DATA_CATEGORIES.filter((c) => decideOne(state, current, facility, c, purpose, at, policies).decision === 'deny');
  const obligations: Obligation[] = excluded.length > 0 ? [{ code: 'exclude-categories', categories: excluded }] : [];
  return { ...base, obligations };
}

function decideOne(
  state: ConsentState,
  current: readonly StatementView[],
  facility: FacilityProfile,
  category: DataCategory,
  purpose: PurposeOfUse,
  at: number,
  policies: readonly DefaultPolicy[],
): Decision {
  // Emergencies reach ordinary data only through break-the-glass; sensitive data still needs a consent naming it.
  if (purpose === 'emergency' && !isSensitiveCategory(category)) {
    const access = state.emergencyAccesses.find((e) => e.facilityCode === facility.code && e.grantedAt <= at && at < e.expiresAt);
    return access ? { decision: 'permit', reason: 'emergency-access', basis: [], emergencyAccessId: access.id, obligations: [] } : deny('no-emergency-access');
  }
  const { winner, expired } = evaluate(current, state, facility, category, purpose, at);
  if (winner === undefined) {
    if (expired !== undefined) return deny('consent-expired', { basis: basisOf(expired) });
    const policy = policyAt(policies, at);
    return policy.decisions[purpose] === 'permit'
      ? { decision: 'permit', reason: 'default-policy', basis: [], policyVersion: policy.version, obligations: [] }
      : deny('no-consent', { policyVersion: policy.version });
  }
  if (winner.status === 'refused') return deny('consent-refused', { basis: basisOf(winner) });
  if (winner.status === 'withdrawn') return deny('consent-withdrawn', { basis: basisOf(winner) });
  if (winner.representative !== null && childConsentMissing(winner.representative, at)) {
    return deny('child-consent-missing', { basis: basisOf(winner) });
  }
  return { decision: 'permit', reason: 'consent-granted', basis: basisOf(winner), obligations: [] };
}
