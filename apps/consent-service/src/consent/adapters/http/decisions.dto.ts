import { decisionBatchResultSchema, decisionBatchSchema, decisionQuerySchema, decisionSchema } from '@lienthong/contracts';
import { createZodDto } from 'nestjs-zod/dto';

/*
 * The decision point's bodies are the contract's (libs/contracts consent-decision.ts): the service, its
 * client and the OpenAPI document speak one schema.
 */

/** `POST /v1/decisions` */
export class DecisionQueryDto extends createZodDto(decisionQuerySchema) {}

/** `POST /v1/decisions/batch` — at most MAX_BATCH_DECISIONS queries, answered in order. */
export class DecisionBatchDto extends createZodDto(decisionBatchSchema) {}

export class DecisionDto extends createZodDto(decisionSchema) {}

export class DecisionBatchResultDto extends createZodDto(decisionBatchResultSchema) {}
