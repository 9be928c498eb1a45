import type { Db } from '@lienthong/persistence';
import { type ConsentState } from '../domain/decide';

/**
 * The truth behind the decision point's cache (Postgres): what decides about each patient, read for a
 * whole batch at once. A merged id answers with its survivor's state (`state.enterprisePatientId` is
 * then the survivor's): its consents followed the survivor.
 */
export abstract class ConsentStateSource {
  /** One state per requested id (unknown patients come back `known: false`); throws when the truth cannot be read. */
  abstract load(db: Db, enterprisePatientIds: readonly string[]): Promise<Map<string, ConsentState>>;
}
