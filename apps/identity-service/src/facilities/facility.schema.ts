import {
  facilityCodeSchema,
  facilityLevelSchema,
  historicalTierSchema,
  labQualityLevelSchema,
} from '@lienthong/contracts';
import { z } from 'zod';

/** What an administrator (or the seed) submits for one facility. */
export const facilityInputSchema = z
  .object({
    code: facilityCodeSchema,
    name: z.string().trim().min(1).max(255),
    provinceCode: z.string().regex(/^[0-9]{2}$/, 'province code is 2 digits (codes in force since 2025-07-01)'),
    level: facilityLevelSchema,
    historicalTier: historicalTierSchema,
    labQualityLevel: labQualityLevelSchema,
    iso15189Scope: z.array(z.string().trim().min(1).max(50)).max(2000).default([]),
    sensitive: z.boolean().default(false),
    synthetic: z.boolean().default(false),
    validFrom: z.iso.date(),
    validTo: z.iso.date().nullable().default(null),
  })
  .refine((f) => f.validTo === null || f.validTo >= f.validFrom, {
    message: 'validTo must not be before validFrom',
    path: ['validTo'],
  });

export type FacilityInput = z.output<typeof facilityInputSchema>;
