import { facilityCodeSchema, facilityLevelSchema, provinceCodeSchema } from '@lienthong/contracts';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { facilityInputSchema } from '../../domain/facility';

export class FacilityInputDto extends createZodDto(facilityInputSchema) {}

export class ListFacilitiesQueryDto extends createZodDto(
  z.object({
    provinceCode: provinceCodeSchema.optional(),
    level: facilityLevelSchema.optional(),
    /** Cursor: the last code of the previous page. */
    after: facilityCodeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
) {}

export const facilityCodeParam = facilityCodeSchema;
