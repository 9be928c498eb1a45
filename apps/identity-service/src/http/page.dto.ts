import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

/** `?cursor=<uuid>&limit=` for lists keyed by UUIDv7 ids. */
export class UuidPageQueryDto extends createZodDto(
  z.object({
    cursor: z.uuid('cursor is the id of the last item of the previous page').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
) {}

/** `?cursor=<entry id>&limit=` for the audit trail (entry ids are positive integers). */
export class AuditPageQueryDto extends createZodDto(
  z.object({
    cursor: z.string().regex(/^[1-9][0-9]{0,18}$/, 'cursor is the id of the last entry of the previous page').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
) {}
