import { type Db, type Tx } from '@lienthong/persistence';
import { type FacilityLevel, type IdentifierSystem } from '@lienthong/vn-standards';
import { type MatchablePatient } from '../domain/patient-matcher';
import { type SourceRecord } from '../domain/survivorship';
import {
  type EncryptedValue,
  type IdentifierRecord,
  type IdentifierStatus,
  type LinkRecord,
  type NewIdentifier,
  type NormalisedDemographics,
  type PatientFacts,
  type PatientRecord,
} from '../domain/patient';

/** What a registration reads before it decides, in one statement (after its advisory locks). */
export interface RegistrationQuery {
  readonly facilityCode: string;
  readonly localId: string;
  /** Blind index of the incoming active CCCD, if any. */
  readonly cccdIndex: Buffer | undefined;
  readonly blockingKeys: readonly Buffer[];
  readonly limit: number;
  readonly idempotencyKey: string | undefined;
}

/** A blocking candidate as the matcher needs it, plus its id and identifier blind indexes. */
export interface RegistrationCandidate extends MatchablePatient {
  readonly id: string;
  readonly cccdIndexes: readonly Buffer[];
}

export interface RegistrationReads {
  /** This facility's link for the local id, if any. */
  readonly link: { readonly id: string; readonly patientId: string } | undefined;
  /** Lowest patient id holding the incoming active CCCD (looked for only when there is no link). */
  readonly cccdHolder: string | undefined;
  /** All identifiers (system + blind index) of that holder, to tell new identifiers from known ones. */
  readonly holderIdentifiers: readonly { readonly system: IdentifierSystem; readonly blindIndex: Buffer }[];
  /** Blocking candidates (fetched only when there is neither a link nor a CCCD holder). */
  readonly candidates: readonly RegistrationCandidate[];
  /** The stored answer for the Idempotency-Key, if one was given and is known. */
  readonly idempotent: { readonly requestHash: Buffer; readonly operation: string; readonly response: unknown } | undefined;
  /** The registering facility's level in the registry (survivorship ranks sources by it). */
  readonly facilityLevel: FacilityLevel | undefined;
  /** The registry marks the registering facility sensitive (HIV clinic, mental hospital). */
  readonly facilitySensitive: boolean;
}

/** What survivorship needs of a patient it is about to change, read after the patient row is locked. */
export interface PatientState {
  readonly identifiers: readonly IdentifierRecord[];
  readonly sources: readonly SourceRecord[];
}

/** Ids to read (merges followed), or every patient holding an identifier (any status). */
export type PatientLookup = readonly string[] | { readonly system: IdentifierSystem; readonly blindIndex: Buffer };

/** An identifier's stored value as key rotation needs it: no blind index, no patient facts. */
export type KeyedIdentifier = Pick<IdentifierRecord, 'id' | 'system' | 'encrypted'>;

/** A value re-encrypted by rotation; `fromKeyId` is the key it was read under (the write is conditional on it). */
export interface RewrappedIdentifier {
  readonly id: string;
  readonly fromKeyId: string;
  readonly encrypted: EncryptedValue;
}

/**
 * The master patient index: patients, their identifiers, facility links and blocking keys. Reads take
 * a `Db` and run at once; writes take a `Tx` and are queued into the caller's unit of work (so a
 * registration's writes, events and audit row reach Postgres as one statement).
 */
export abstract class PatientStore {
  abstract registrationReads(db: Db, query: RegistrationQuery): Promise<RegistrationReads>;
  /**
   * For each asked id (or identifier holder): follow merges (bounded) to the patient to answer with,
   * loaded with its identifiers and links — one round trip. Missing ids and broken chains are absent.
   * `facts.sources` holds only the source records of `sourcesOf`'s own links (what a facility is shown
   * of its own reports); none when it is undefined — every read pays only for what it shows.
   */
  abstract resolve(db: Db, lookup: PatientLookup, sourcesOf: string | undefined): Promise<{ readonly asked: string; readonly facts: PatientFacts }[]>;
  abstract findLink(db: Db, facilityCode: string, localId: string): Promise<LinkRecord | undefined>;
  /** Locks the rows (FOR UPDATE) in id order, so two transactions locking the same pair never deadlock. */
  abstract lockPatients(tx: Tx, ids: readonly string[]): Promise<PatientRecord[]>;
  abstract identifiersOf(db: Db, patientIds: readonly string[]): Promise<IdentifierRecord[]>;
  /** A patient's identifiers and the source records of its links (with each facility's level), one round trip. */
  abstract stateOf(db: Db, patientId: string): Promise<PatientState>;
  abstract linksOf(db: Db, patientId: string): Promise<LinkRecord[]>;
  /** Of these links, the ids still held by `patientId`. */
  abstract linksStillOn(db: Db, linkIds: readonly string[], patientId: string): Promise<string[]>;
  abstract patientIdsByIdentifier(db: Db, system: IdentifierSystem, blindIndex: Buffer, activeOnly: boolean): Promise<string[]>;
  /** Active patients sharing a blocking key, at most `limit`. */
  abstract candidates(db: Db, blockingKeys: readonly Buffer[], limit: number): Promise<RegistrationCandidate[]>;

  abstract insertPatient(tx: Tx, id: string, demographics: NormalisedDemographics, now: Date): void;
  abstract updateDemographics(tx: Tx, id: string, demographics: NormalisedDemographics, now: Date): void;
  abstract insertIdentifiers(tx: Tx, patientId: string, sourceFacility: string, identifiers: readonly NewIdentifier[], now: Date): void;
  abstract setIdentifierStatus(tx: Tx, identifierId: string, status: IdentifierStatus, now: Date): void;
  abstract insertLink(tx: Tx, link: LinkRecord, now: Date): void;
  /**
   * Writes a link's source record (insert or replace) and appends it to the append-only history of
   * who said what, for `patientId` as it is now.
   */
  abstract saveSource(tx: Tx, patientId: string, source: SourceRecord): void;
  abstract addBlockingKeys(tx: Tx, patientId: string, keys: readonly Buffer[]): void;
  abstract copyBlockingKeys(tx: Tx, fromPatientId: string, toPatientId: string): void;
  abstract moveLinks(tx: Tx, linkIds: readonly string[], toPatientId: string, now: Date): void;
  /** Moves identifiers to `toPatientId`; with `onlyFrom`, only those still held by that patient. */
  abstract moveIdentifiers(tx: Tx, identifierIds: readonly string[], toPatientId: string, now: Date, onlyFrom?: string): void;
  /** Marks `id` merged into `survivorId`, or active again with null. */
  abstract setMerged(tx: Tx, id: string, survivorId: string | null, now: Date): void;

  // Key rotation (rotate-identifier-keys).
  /** How many identifier rows each encryption key id protects (one scan: run it at the start and end of a job, not per batch). */
  abstract countIdentifiersByKey(db: Db): Promise<{ readonly keyId: string; readonly rows: number }[]>;
  /**
   * Up to `limit` identifiers not under `keyId`, in id order after `afterId`, locked FOR UPDATE SKIP
   * LOCKED: rows another runner or a live transaction holds are passed over, never waited for.
   */
  abstract lockIdentifiersNotUnder(tx: Tx, keyId: string, afterId: string | undefined, limit: number): Promise<KeyedIdentifier[]>;
  /** Writes re-encrypted values back in one queued statement; a row no longer under `fromKeyId` is left alone. */
  abstract rewrapIdentifiers(tx: Tx, rows: readonly RewrappedIdentifier[]): void;
}
