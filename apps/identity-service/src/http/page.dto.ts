import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

/** `?cursor=<uuid>&limit=` for lists keyed by UUIDv7 ids. */
export class UuidPageQueryDto extends createZodDto(
  z.object({
    cursor: z.uuid('cursor is the id of the last item of the previous page').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
) {}

/** Largest Postgres bigint: audit entry ids never exceed it, and a larger cursor is an error in SQL. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;
const AUDIT_CURSOR_MESSAGE = 'cursor is the id of the last entry of the previous page';

/** `?cursor=<entry id>&limit=` for the audit trail (entry ids are positive bigints). */
export class AuditPageQueryDto extends createZodDto(
  z.object({
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/, AUDIT_CURSOR_MESSAGE)
      // 19 digits can still pass the bigint range; refused here so it never reaches the database as a 500.
      .refine((c) => !/^[0-9]+$/.test(c) || BigInt(c) <= MAX_BIGINT, AUDIT_CURSOR_MESSAGE)
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
) {}
