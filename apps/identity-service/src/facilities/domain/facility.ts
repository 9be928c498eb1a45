import { facilityCodeSchema, facilityLevelSchema, historicalTierSchema, labQualityLevelSchema, provinceCodeSchema } from '@lienthong/contracts';
import { z } from 'zod';

/** What an administrator (or the seed) submits for one facility. */
export const facilityInputSchema = z
  .object({
    code: facilityCodeSchema,
    name: z.string().trim().min(1).max(255),
    /** Province in force since 2025-07-01. */
    provinceCode: provinceCodeSchema,
    level: facilityLevelSchema,
    historicalTier: historicalTierSchema,
    labQualityLevel: labQualityLevelSchema,
    iso15189Scope: z.array(z.string().trim().min(1).max(50)).max(2000).default([]),
    sensitive: z.boolean().default(false),
    synthetic: z.boolean().default(false),
    validFrom: z.iso.date(),
    validTo: z.iso.date().nullable().default(null),
  })
  .refine((f) => f.validTo === null || f.validTo >= f.validFrom, { message: 'validTo must not be before validFrom', path: ['validTo'] });

export type FacilityInput = z.output<typeof facilityInputSchema>;

/** One facility of the registry, at its current version. */
export interface Facility extends FacilityInput {
  readonly version: number;
  readonly updatedAt: Date;
}

/** The attributes that make a new version; `updatedAt` and `version` follow from them. */
const VERSIONED_FIELDS = [
  'name',
  'provinceCode',
  'level',
  'historicalTier',
  'labQualityLevel',
  'iso15189Scope',
  'sensitive',
  'synthetic',
  'validFrom',
  'validTo',
] as const satisfies readonly (keyof FacilityInput)[];

/** Whether the input says nothing the current version does not (re-seeding is then a no-op). */
export function isUnchanged(current: Facility, input: FacilityInput): boolean {
  return VERSIONED_FIELDS.every((f) => sameValue(current[f], input[f]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
