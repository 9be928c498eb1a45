import { type FacilityLevel, type LabQualityLevel } from '@lienthong/vn-standards';

/**
 * A facility's lab as the reuse rules need it, from this service's copy of identity's registry
 * (`identity.facility.v1`): its level of care and province, its Decision 2429 lab quality level and
 * the tests its ISO 15189 accreditation covers (catalogue codes), and whether its mere involvement is
 * sensitive (HIV clinic, mental hospital).
 */
export interface FacilityLab {
  readonly code: string;
  readonly level: FacilityLevel;
  readonly provinceCode: string;
  readonly labQualityLevel: LabQualityLevel;
  readonly iso15189Scope: readonly string[];
  readonly sensitive: boolean;
}

/** A registry row as stored: the profile under the registry's version (a late older event never wins). */
export interface FacilityRecord extends FacilityLab {
  readonly version: number;
}

