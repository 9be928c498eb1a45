import { FACILITY_LEVELS, formatIsoPartialDate, nameTokenKey, type FacilityLevel, type PartialDate } from '@lienthong/vn-standards';
import { type NormalisedDemographics } from './patient';

/**
 * Survivorship: how the record everyone sees is computed from what each facility reported.
 *
 * Every facility link keeps the facility's own SOURCE RECORD (its last report, normalised). A facility
 * may change only its own source record; nobody writes the shared record directly. The shared record
 * is recomputed, field by field, from the source records:
 *
 *   1. values from a facility holding the patient's CCCD (its report carried the active CCCD) first;
 *   2. then the highest facility level in the registry (specialised > basic > initial > unknown);
 *   3. then the most recent report; ties by link id, so the answer never depends on read order.
 *
 * A source without a value for a field (no address, no phone) takes no part for that field, so a
 * facility that says nothing never erases what another said. A name that folds to the same letters
 * as the winner but carries diacritics is preferred to the winner's plain-ASCII spelling (the same
 * name, with more information). Fields a source has DISPUTED (see `disputedFields`) take no part
 * until a steward decides; if every source of a field is disputed, they all take part again (the
 * record must have a name).
 */
export const SURVIVOR_FIELDS = ['name', 'birthDate', 'sex', 'address', 'phone'] as const;
export type SurvivorField = (typeof SURVIVOR_FIELDS)[number];

/** What a CCCD attests (printed on the card, partly encoded in its digits): a report that contradicts one of these is disputed. */
export const CCCD_ATTESTED_FIELDS = ['name', 'birthDate', 'sex'] as const satisfies readonly SurvivorField[];

/** A facility's demographics as it reported them (normalised; no derived matching keys). */
export type SourceDemographics = Omit<NormalisedDemographics, 'nameTokenKey'>;

/** One facility link's source record. */
export interface SourceRecord {
  /** The facility link this record belongs to (its key). */
  readonly linkId: string;
  readonly facilityCode: string;
  readonly localId: string;
  readonly demographics: SourceDemographics;
  /** The facility's report carried the patient's active CCCD. */
  readonly cccdVerified: boolean;
  /** Fields that contradicted a CCCD-verified value when reported: kept here, not in the shared record. */
  readonly disputedFields: readonly SurvivorField[];
  readonly reportedAt: Date;
  /** The facility's level in the registry; undefined when the registry does not know the facility. */
  readonly facilityLevel: FacilityLevel | undefined;
}

/** The computed shared record and, per field, the link whose value won. */
export interface SurvivingRecord {
  readonly demographics: NormalisedDemographics;
  readonly winners: Readonly<Record<SurvivorField, string>>;
}

const levelRank = (level: FacilityLevel | undefined): number => (level === undefined ? 0 : FACILITY_LEVELS.indexOf(level) + 1);

/** Rule order 1–3 above: negative when `a` outranks `b`. */
export function compareSources(a: SourceRecord, b: SourceRecord): number {
  return (
    Number(b.cccdVerified) - Number(a.cccdVerified) ||
    levelRank(b.facilityLevel) - levelRank(a.facilityLevel) ||
    b.reportedAt.getTime() - a.reportedAt.getTime() ||
    (a.linkId < b.linkId ? -1 : a.linkId > b.linkId ? 1 : 0)
  );
}

function hasValue(d: SourceDemographics, field: SurvivorField): boolean {
  switch (field) {
    case 'name':
    case 'sex':
      return true;
    case 'birthDate':
      return d.birthDate !== undefined;
    case 'address':
      return d.provinceCode !== undefined || d.communeCode !== undefined || d.addressLine !== undefined;
    case 'phone':
      return d.phone !== undefined;
  }
}

// eslint-disable-next-line no-control-regex -- ASCII range on purpose: anything beyond it is a diacritic in a Vietnamese name
const hasDiacritics = (name: string) => /[^\u0000-\u007f]/.test(name);

/** Ranked sources that may speak for `field`. */
function contenders(sources: readonly SourceRecord[], field: SurvivorField): SourceRecord[] {
  const withValue = sources.filter((s) => hasValue(s.demographics, field));
  const undisputed = withValue.filter((s) => !s.disputedFields.includes(field));
  return [...(undisputed.length > 0 ? undisputed : withValue)].sort(compareSources);
}

function winnerOf(sources: readonly SourceRecord[], field: SurvivorField): SourceRecord | undefined {
  const ranked = contenders(sources, field);
  const best = ranked[0];
  if (field !== 'name' || best === undefined || hasDiacritics(best.demographics.fullName)) return best;
  return ranked.find((s) => s.demographics.nameFolded === best.demographics.nameFolded && hasDiacritics(s.demographics.fullName)) ?? best;
}

/** The shared record computed from the source records; undefined when there are none. */
export function survivingRecord(sources: readonly SourceRecord[]): SurvivingRecord | undefined {
  const name = winnerOf(sources, 'name');
  const sex = winnerOf(sources, 'sex');
  if (name === undefined || sex === undefined) return undefined;
  const birth = winnerOf(sources, 'birthDate');
  const address = winnerOf(sources, 'address');
  const phone = winnerOf(sources, 'phone');
  return {
    demographics: {
      fullName: name.demographics.fullName,
      nameFolded: name.demographics.nameFolded,
      nameTokenKey: nameTokenKey(name.demographics.fullName),
      birthDate: birth?.demographics.birthDate,
      sex: sex.demographics.sex,
      provinceCode: address?.demographics.provinceCode,
      communeCode: address?.demographics.communeCode,
      addressLine: address?.demographics.addressLine,
      phone: phone?.demographics.phone,
    },
    winners: {
      name: name.linkId,
      sex: sex.linkId,
      birthDate: birth?.linkId ?? '',
      address: address?.linkId ?? '',
      phone: phone?.linkId ?? '',
    },
  };
}

/** A partial date agrees with another when every part both of them know is equal. */
function birthDatesAgree(a: PartialDate | undefined, b: PartialDate | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (a.year !== b.year) return false;
  if (a.month === undefined || b.month === undefined) return true;
  if (a.month !== b.month) return false;
  return a.day === undefined || b.day === undefined || a.day === b.day;
}

/** Whether two reports say the same for a CCCD-attested field (names compared folded: diacritics, case and spacing are spelling). */
function agrees(a: SourceDemographics, b: SourceDemographics, field: (typeof CCCD_ATTESTED_FIELDS)[number]): boolean {
  switch (field) {
    case 'name':
      return a.nameFolded === b.nameFolded;
    case 'birthDate':
      return birthDatesAgree(a.birthDate, b.birthDate);
    case 'sex':
      return a.sex === b.sex;
  }
}

/**
 * Which CCCD-attested fields of an incoming report are disputed: they contradict the value that the
 * OTHER sources' CCCD-verified reports establish (rules above, among CCCD holders only). A facility
 * repeating what it already reported keeps that field's previous state, so re-sending the same
 * record neither opens a new dispute nor clears one; a facility correcting its own report towards
 * the verified value clears it. With no other CCCD-verified source there is nothing to contradict:
 * the facility is changing only what it reported itself.
 */
export function disputedFields(others: readonly SourceRecord[], previous: SourceRecord | undefined, incoming: SourceDemographics): SurvivorField[] {
  const verified = others.filter((s) => s.cccdVerified);
  const disputed: SurvivorField[] = [];
  for (const field of CCCD_ATTESTED_FIELDS) {
    const reference = winnerOf(verified, field);
    if (reference === undefined || agrees(reference.demographics, incoming, field)) continue;
    const repeated = previous !== undefined && sameValue(previous.demographics, incoming, field);
    if (!repeated || previous.disputedFields.includes(field)) disputed.push(field);
  }
  return disputed;
}

function sameValue(a: SourceDemographics, b: SourceDemographics, field: SurvivorField): boolean {
  switch (field) {
    case 'name':
      return a.fullName === b.fullName;
    case 'birthDate':
      return (a.birthDate === undefined ? null : formatIsoPartialDate(a.birthDate)) === (b.birthDate === undefined ? null : formatIsoPartialDate(b.birthDate));
    case 'sex':
      return a.sex === b.sex;
    case 'address':
      return a.provinceCode === b.provinceCode && a.communeCode === b.communeCode && a.addressLine === b.addressLine;
    case 'phone':
      return a.phone === b.phone;
  }
}

/** Whether a facility's new report says anything its previous one did not (else nothing is written). */
export function sameReport(a: SourceRecord, b: Omit<SourceRecord, 'reportedAt' | 'facilityLevel'>): boolean {
  return (
    a.cccdVerified === b.cccdVerified &&
    SURVIVOR_FIELDS.every((f) => sameValue(a.demographics, b.demographics, f)) &&
    a.disputedFields.length === b.disputedFields.length &&
    a.disputedFields.every((f) => b.disputedFields.includes(f))
  );
}

/** Names of the shared record's fields that differ (names only: values never leave the service in events). */
export function changedFields(before: SourceDemographics, after: SourceDemographics): SurvivorField[] {
  return SURVIVOR_FIELDS.filter((f) => !sameValue(before, after, f));
}
