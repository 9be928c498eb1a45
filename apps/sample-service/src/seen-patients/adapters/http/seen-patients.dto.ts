import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

export const ListSeenPatientsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export class ListSeenPatientsQueryDto extends createZodDto(ListSeenPatientsQuerySchema) {}

export const SeenPatientsResponseSchema = z.object({
  facilityCode: z.string(),
  patients: z.array(
    z.object({
      enterprisePatientId: z.uuid(),
      localId: z.string(),
      sightings: z.number().int(),
      firstSeenAt: z.iso.datetime({ offset: true }),
      lastSeenAt: z.iso.datetime({ offset: true }),
    }),
  ),
});
export class SeenPatientsResponseDto extends createZodDto(SeenPatientsResponseSchema) {}
