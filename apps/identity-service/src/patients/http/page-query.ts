import { z } from 'zod';

/** Cursor pagination query of every list endpoint: `?cursor=<opaque>&limit=<1..200>`. */
export function pageQuerySchema(defaultLimit: number) {
  return z.object({
    cursor: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(defaultLimit),
  });
}

export type PageQuery = z.output<ReturnType<typeof pageQuerySchema>>;
