import { z } from 'zod';
import { dataCategorySchema, purposeSchema } from './events/consent.events';
import { enterprisePatientIdSchema, facilityCodeSchema } from './events/identity.events';

/**
 * The decision point's API (consent-service `POST /v1/decisions` and `/v1/decisions/batch`), shared
 * by the service and its client (`@lienthong/consent-client`) so both speak one typed contract.
 */

/** Why the answer is what it is. Every deny names one; a client that cannot reach the service says `consent-unavailable`. */
export const DECISION_REASONS = [
  'consent-granted',
  'emergency-access',
  'default-policy',
  'consent-refused',
  'consent-withdrawn',
  'consent-expired',
  'no-consent',
  'no-emergency-access',
  'child-consent-missing',
  'unknown-patient',
  'unknown-facility',
  'consent-unavailable',
] as const;
export const decisionReasonSchema = z.enum(DECISION_REASONS);
export type DecisionReason = z.infer<typeof decisionReasonSchema>;

export const decisionQuerySchema = z.object({
  enterprisePatientId: enterprisePatientIdSchema,
  /** The facility that would read. A facility caller may only ask about itself. */
  facilityCode: facilityCodeSchema,
  category: dataCategorySchema,
  purpose: purposeSchema,
  /** When the read would happen; default now. */
  at: z.iso.datetime({ offset: true }).optional(),
});
export type DecisionQuery = z.infer<typeof decisionQuerySchema>;

export const MAX_BATCH_DECISIONS = 1000;
export const decisionBatchSchema = z.object({ queries: z.array(decisionQuerySchema).min(1).max(MAX_BATCH_DECISIONS) });
export type DecisionBatch = z.infer<typeof decisionBatchSchema>;

/** Conditions on a permit the reader must honour. */
export const obligationSchema = z.object({
  /** Leave out data of these (sensitive) categories: the patient has not named them for this reader. */
  code: z.literal('exclude-categories'),
  categories: z.array(dataCategorySchema).min(1),
});
export type Obligation = z.infer<typeof obligationSchema>;

export const decisionSchema = z.object({
  decision: z.enum(['permit', 'deny']),
  reason: decisionReasonSchema,
  /** The consent versions the answer rests on (empty for a default or an unknown patient). */
  basis: z.array(z.object({ consentId: z.uuid(), version: z.number().int().min(1) })),
  /** The emergency access that permitted it, for reason `emergency-access`. */
  emergencyAccessId: z.uuid().optional(),
  /** The default-policy version used when no consent applied. */
  policyVersion: z.string().optional(),
  obligations: z.array(obligationSchema),
});
export type Decision = z.infer<typeof decisionSchema>;

export const decisionBatchResultSchema = z.object({ decisions: z.array(decisionSchema) });
export type DecisionBatchResult = z.infer<typeof decisionBatchResultSchema>;
