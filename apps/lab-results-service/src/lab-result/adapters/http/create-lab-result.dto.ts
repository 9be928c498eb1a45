import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { NOTE_MAX_LENGTH, type LabResult } from '../../domain/lab-result';

/** The request body: validated by the platform's pipe (422 with JSON pointers) and shown in /docs. */
export const CreateLabResultSchema = z.object({
  note: z.string().min(1).max(NOTE_MAX_LENGTH),
});
export class CreateLabResultDto extends createZodDto(CreateLabResultSchema) {}

export const LabResultResponseSchema = z.object({
  id: z.uuid(),
  facilityCode: z.string(),
  note: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});
export class LabResultResponseDto extends createZodDto(LabResultResponseSchema) {}
export type LabResultResponse = z.infer<typeof LabResultResponseSchema>;

export function toLabResultResponse(record: LabResult): LabResultResponse {
  return { id: record.id, facilityCode: record.facilityCode, note: record.note, createdAt: record.createdAt.toISOString() };
}
