import type { Db, Tx } from '@lienthong/persistence';

/** A patient's registration at a facility under the facility's own id (MA_BN). */
export interface FacilityLink {
  readonly facilityCode: string;
  readonly localId: string;
}

/** What a link event finds before it is applied (one read). */
export interface LinkSituation {
  /** identity-service announced the patient before. */
  readonly known: boolean;
  /** The survivor the patient was merged into, or null. */
  readonly mergedInto: string | null;
  /** Who holds the (facility, local id) link now, if anyone. */
  readonly heldBy: string | undefined;
}

/**
 * The patients identity-service announced (`patients`, merged ones pointing at their survivor) and
 * where each is registered (`patient_links`): the care relationships a referral rests on. Kept from
 * `identity.patient.v1`; links to sensitive facilities never reach this service (restricted topic).
 */
export abstract class PatientLinks {
  /**
   * The id the patient is known by now: merges followed to the last survivor. An id not merged, or
   * not (yet) announced, answers itself — results are stored under the id identity answered, so the
   * reuse check and the ingest both look up `resolve(id)`.
   */
  abstract resolve(db: Db, enterprisePatientId: string): Promise<string>;
  /** Whether the facility has its own link to the patient (to its survivor, after merges). */
  abstract hasLink(db: Db, enterprisePatientId: string, facilityCode: string): Promise<boolean>;
  /** The patient (its survivor) a facility registered under its local id, if identity announced it. */
  abstract findByLocalId(db: Db, link: FacilityLink): Promise<string | undefined>;
  /** The ids identity has announced, merged ones included. */
  abstract known(db: Db, enterprisePatientIds: readonly string[]): Promise<Set<string>>;

  /** The patients a link event changes. */
  abstract linkSituation(db: Db, link: FacilityLink & { readonly enterprisePatientId: string }): Promise<LinkSituation>;
  /** Records the patient (first sight) and its link to the facility under the local id. */
  abstract recordLink(tx: Tx, link: FacilityLink & { readonly enterprisePatientId: string }, at: Date): void;
  /** Points the links at the patient (a merge gives them to the survivor, an unmerge gives them back). */
  abstract moveLinks(tx: Tx, to: string, links: readonly FacilityLink[]): void;
  /** Marks the patient merged into the survivor, or no longer merged (null). */
  abstract markMerged(tx: Tx, enterprisePatientId: string, survivorId: string | null): void;
}
