import { type PartialDate, type Sex } from '@lienthong/vn-standards';

/** Ground truth for one synthetic person (what a perfect registry would hold). */
export interface SyntheticPerson {
  readonly id: string;
  readonly family: string;
  readonly middle: readonly string[];
  readonly given: string;
  /** NFC, Vietnamese order: family, middle(s), given. */
  readonly fullName: string;
  readonly sex: Sex;
  readonly birthDate: PartialDate;
  /** Undefined for newborns whose birth is not yet registered. */
  readonly cccd: string | undefined;
  /** Legacy 15-character card code. */
  readonly bhytCode: string | undefined;
  readonly socialInsuranceNumber: string | undefined;
  /** Domestic form, e.g. "0912345678"; children carry a parent's number. */
  readonly phone: string | undefined;
  /** Post-07/2025 province code. */
  readonly provinceCode: string;
  /** Synthetic 5-digit commune code (province code + 3-digit index; not the official list). */
  readonly communeCode: string;
  /** Shared by twins/siblings: same address and phone. */
  readonly householdId: string;
}

/**
 * One person as recorded by a facility: every field optional, values in the form the facility
 * typed them. Structurally the same as the identity matcher's input so evaluation needs no mapping.
 */
export interface ObservedPatientRecord {
  readonly name: string;
  readonly sex?: Sex | undefined;
  readonly birthDate?: PartialDate | undefined;
  readonly cccd?: string | undefined;
  readonly bhytCode?: string | undefined;
  readonly phone?: string | undefined;
  readonly provinceCode?: string | undefined;
  readonly communeCode?: string | undefined;
}
