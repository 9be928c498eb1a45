import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { NOTE_MAX_LENGTH, type Consent } from '../../domain/consent';

/** The request body: validated by the platform's pipe (422 with JSON pointers) and shown in /docs. */
export const CreateConsentSchema = z.object({
  note: z.string().min(1).max(NOTE_MAX_LENGTH),
});
export class CreateConsentDto extends createZodDto(CreateConsentSchema) {}

export const ConsentResponseSchema = z.object({
  id: z.uuid(),
  facilityCode: z.string(),
  note: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});
export class ConsentResponseDto extends createZodDto(ConsentResponseSchema) {}
export type ConsentResponse = z.infer<typeof ConsentResponseSchema>;

export function toConsentResponse(record: Consent): ConsentResponse {
  return { id: record.id, facilityCode: record.facilityCode, note: record.note, createdAt: record.createdAt.toISOString() };
}
