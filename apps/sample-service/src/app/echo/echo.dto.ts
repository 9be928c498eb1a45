import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

export const EchoRequestSchema = z.object({
  message: z.string().min(1).max(500),
  patient: z
    .object({
      cccd: z.string().regex(/^[0-9]{12}$/, 'must be 12 digits'),
      identifiers: z.array(z.object({ system: z.string().min(1), value: z.string().min(1) })).max(10).default([]),
    })
    .optional(),
  repeat: z.number().int().min(1).max(5).default(1),
});

export class EchoRequestDto extends createZodDto(EchoRequestSchema) {}

export const EchoResponseSchema = z.object({
  echo: z.string(),
  facilityCode: z.string(),
  hasPatient: z.boolean(),
});
export type EchoResponse = z.infer<typeof EchoResponseSchema>;
