import { type Tx } from '@lienthong/persistence';
import { type PatientRecord } from '../domain/patient';
import { changedFields, survivingRecord, type SourceRecord, type SurvivorField } from '../domain/survivorship';
import { type PatientStore } from '../ports/patient-store.port';

/**
 * Recomputes the record everyone sees from the patient's source records (survivorship) and queues the
 * update when a field changed. Registration calls it after a facility's report; merge and unmerge after
 * links (and their source records) moved between patients. Returns the fields that changed.
 */
export function reshareRecord(patients: PatientStore, tx: Tx, current: PatientRecord, sources: readonly SourceRecord[], now: Date): SurvivorField[] {
  const next = survivingRecord(sources);
  if (next === undefined) return [];
  const changed = changedFields(current, next.demographics);
  if (changed.length > 0) patients.updateDemographics(tx, current.id, next.demographics, now);
  return changed;
}
