import { ConsentGrantedV1, ConsentRefusedV1, ConsentWithdrawnV1, type EventData } from '@lienthong/contracts';
import { outboxEvent, type OutboxEvent } from '@lienthong/messaging';
import { type Db, type Tx } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { type ConsentChannel, type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { checkStatement, type ConsentScope, type ConsentStatus, type ConsentVersion, type Grantee, type Representative } from '../domain/consent';
import { ConsentError, ConsentErrorCode, type FieldViolation, invalid } from '../domain/consent-error';
import { type ConsentReader } from '../domain/disclosure';
import { type ConsentAuditEntry } from '../ports/audit-trail.port';
import { type ConsentStore } from '../ports/consent-store.port';
import { type FacilityDirectory } from '../ports/facility-directory.port';
import { type PatientDirectory } from '../ports/patient-directory.port';

/*
 * What the three writing use cases (record, change, withdraw) share: the request's statement made a
 * version, the rules it must keep, how a version is stored with its expiry, and what it publishes and audits.
 */

/** The scope as a request states it (shape-checked by the transport; times ISO 8601 with offset). */
export interface ScopeInput {
  readonly purposes: readonly PurposeOfUse[];
  readonly categories: readonly DataCategory[];
  readonly grantees: readonly Grantee[];
  /** Default: when it is recorded. */
  readonly validFrom?: string | undefined;
  /** Default null: until withdrawn. */
  readonly validUntil?: string | null | undefined;
}

/** The evidence as a request states it; where and when it was recorded come from the token and the clock. */
export interface EvidenceInput {
  readonly channel: ConsentChannel;
  readonly reference?: string | undefined;
  readonly documentSha256?: string | undefined;
  readonly recordedBy: string;
  readonly informedOfSensitivity: boolean;
}

/** Where and when a version is recorded, and as which version of which consent. */
export interface Recording {
  readonly consentId: string;
  readonly version: number;
  readonly enterprisePatientId: string;
  readonly status: ConsentStatus;
  /** The acting facility (the token's). */
  readonly facilityCode: string;
  readonly at: Date;
}

/** The acting facility, or the coded refusal every transport maps to 403 `facility-required`. */
export function recordingFacility(actor: Actor, what: string): string {
  const facility = actingFacility(actor);
  if (facility === undefined) throw new ConsentError(ConsentErrorCode.FacilityRequired, `only a facility (or a service acting for one) can ${what}`);
  return facility;
}

export function scopeOf(input: ScopeInput, at: Date): ConsentScope {
  return {
    purposes: unique(input.purposes),
    categories: unique(input.categories),
    grantees: input.grantees,
    validFrom: input.validFrom === undefined ? at : new Date(input.validFrom),
    validUntil: input.validUntil === undefined || input.validUntil === null ? null : new Date(input.validUntil),
  };
}

export function evidenceOf(input: EvidenceInput, recording: Pick<Recording, 'facilityCode' | 'at'>): ConsentVersion['evidence'] {
  return {
    channel: input.channel,
    reference: input.reference ?? null,
    // The column and the FHIR hash are derived from lower-case hex.
    documentSha256: input.documentSha256?.toLowerCase() ?? null,
    recordedBy: input.recordedBy,
    recordedAtFacility: recording.facilityCode,
    recordedAt: recording.at,
    informedOfSensitivity: input.informedOfSensitivity,
  };
}

export function versionOf(recording: Recording, scope: ConsentScope, evidence: EvidenceInput, representative: Representative | undefined): ConsentVersion {
  return {
    consentId: recording.consentId,
    version: recording.version,
    enterprisePatientId: recording.enterprisePatientId,
    status: recording.status,
    scope,
    evidence: evidenceOf(evidence, recording),
    representative: representative ?? null,
  };
}

/** checkStatement's violations as a list (empty when the version keeps every rule). */
export function statementViolations(version: ConsentVersion): FieldViolation[] {
  try {
    checkStatement(version);
    return [];
  } catch (error) {
    if (error instanceof ConsentError && error.code === ConsentErrorCode.Validation) return [...error.violations];
    throw error;
  }
}

/** A new statement (grant, refusal, change) whose period is already over would say nothing. */
export function periodViolations(scope: ConsentScope, at: Date): FieldViolation[] {
  return scope.validUntil !== null && scope.validUntil.getTime() <= at.getTime()
    ? [{ pointer: '#/scope/validUntil', rule: 'future', message: 'must be in the future: a period that has already ended permits and refuses nothing' }]
    : [];
}

/** Every named grantee facility must be one the registry knows, each unknown one named by its exact pointer. */
export async function granteeViolations(db: Db, facilities: FacilityDirectory, grantees: readonly Grantee[]): Promise<FieldViolation[]> {
  const codes = [...new Set(grantees.flatMap((g) => (g.kind === 'facilities' ? g.facilityCodes : [])))];
  if (codes.length === 0) return [];
  const known = await facilities.profiles(db, codes);
  return grantees.flatMap((g, i) =>
    g.kind !== 'facilities'
      ? []
      : g.facilityCodes.flatMap((code, j) =>
          known.has(code) ? [] : [{ pointer: `#/scope/grantees/${i}/facilityCodes/${j}`, rule: 'known-facility', message: `no facility ${code} in the registry` }],
        ),
  );
}

export async function patientViolations(db: Db, patients: PatientDirectory, enterprisePatientId: string): Promise<FieldViolation[]> {
  const known = await patients.known(db, [enterprisePatientId]);
  return known.has(enterprisePatientId)
    ? []
    : [{ pointer: '#/enterprisePatientId', rule: 'known-patient', message: 'identity-service has not announced this patient' }];
}

/**
 * A consent is recorded where the patient is cared for: the recording facility must be one identity
 * registered (or linked) the patient at — checked on the patient and on the survivor holding its
 * consents. Otherwise any facility could plant a statement for any patient id it learnt, and become,
 * by having recorded it, a reader of all the patient's consents. Like an unknown patient, a link
 * identity has not announced yet is a 422 on `#/enterprisePatientId` worth retrying.
 */
export async function careRelationshipViolations(db: Db, patients: PatientDirectory, enterprisePatientIds: readonly string[], facilityCode: string): Promise<FieldViolation[]> {
  return (await patients.registeredAt(db, enterprisePatientIds, facilityCode))
    ? []
    : [{ pointer: '#/enterprisePatientId', rule: 'care-relationship', message: `the patient is not registered at ${facilityCode} (identity-service has announced no link there)` }];
}

/** One 422 listing everything wrong; coded UnknownPatient when the patient is all that is wrong. */
export function refuseIfInvalid(violations: readonly FieldViolation[]): void {
  if (violations.length === 0) return;
  if (violations.every((v) => v.pointer === '#/enterprisePatientId' && v.rule === 'known-patient')) {
    throw new ConsentError(ConsentErrorCode.UnknownPatient, 'The patient is not known.', violations);
  }
  throw invalid(violations);
}

/**
 * Queues the version and keeps the expiry job's list right: the earlier versions' pending ends are
 * superseded (this version replaces them), and a grant with an end is scheduled to be announced.
 */
export function storeVersion(tx: Tx, store: ConsentStore, version: ConsentVersion, recordedBySubject: string): void {
  store.appendVersion(tx, version, recordedBySubject);
  if (version.version > 1) store.supersedeExpiries(tx, version.consentId, version.version);
  if (version.status === 'granted' && version.scope.validUntil !== null) {
    store.scheduleExpiry(tx, { consentId: version.consentId, version: version.version, endsAt: version.scope.validUntil });
  }
}

type StatementEventData = EventData<typeof ConsentGrantedV1>;

/** The `consent.v1` event of a version: what changed, never the evidence document, a name or a free-text reason. */
export function consentEvent(version: ConsentVersion): OutboxEvent {
  const { scope, evidence } = version;
  const data: StatementEventData = {
    consentId: version.consentId,
    version: version.version,
    enterprisePatientId: version.enterprisePatientId,
    recordedAt: evidence.recordedAt.toISOString(),
    recordedAtFacility: evidence.recordedAtFacility,
    channel: evidence.channel,
    byRepresentative: version.representative !== null,
    scope: scopeData(scope),
  };
  switch (version.status) {
    case 'granted':
      return outboxEvent(ConsentGrantedV1, data);
    case 'refused':
      return outboxEvent(ConsentRefusedV1, data);
    case 'withdrawn':
      return outboxEvent(ConsentWithdrawnV1, data);
  }
}

/** A scope as `consent.v1` carries it (ISO times, plain arrays): every consent event's, the expiry's too. */
export function scopeData(scope: ConsentScope): StatementEventData['scope'] {
  return {
    purposes: [...scope.purposes],
    categories: [...scope.categories],
    grantees: scope.grantees.map(copyGrantee),
    validFrom: scope.validFrom.toISOString(),
    validUntil: scope.validUntil?.toISOString() ?? null,
  };
}

/** The audit row of a recorded version: coded facts only (no name, no document, no free text). */
export function versionAudit(action: string, version: ConsentVersion): ConsentAuditEntry {
  return {
    action,
    patientId: version.enterprisePatientId,
    outcome: 'ok',
    detail: {
      consentId: version.consentId,
      version: version.version,
      status: version.status,
      purposes: version.scope.purposes,
      categories: version.scope.categories,
      channel: version.evidence.channel,
      byRepresentative: version.representative !== null,
    },
  };
}

/** The caller as the disclosure rule sees it. */
export function readerOf(actor: Actor): ConsentReader {
  const facilityCode = actingFacility(actor);
  if (facilityCode !== undefined) return { kind: 'facility', facilityCode };
  return actor.kind === 'person' && actor.role === 'data-steward' ? { kind: 'steward' } : { kind: 'other' };
}

function copyGrantee(g: Grantee): StatementEventData['scope']['grantees'][number] {
  switch (g.kind) {
    case 'facilities':
      return { kind: g.kind, facilityCodes: [...g.facilityCodes] };
    case 'levels':
      return { kind: g.kind, levels: [...g.levels] };
    case 'province':
      return { kind: g.kind, provinceCode: g.provinceCode };
    case 'any-facility':
    case 'care-relationship':
      return { kind: g.kind };
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
