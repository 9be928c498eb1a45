import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { dataCategorySchema, purposeSchema } from './consent.events';
import { enterprisePatientIdSchema, facilityCodeSchema } from './identity.events';

/**
 * lab-results-service events. `lab.result.v1` carries the full canonical result (values included) on
 * a restricted topic; `lab.reuse.v1` carries reuse checks and decisions without any result value, so
 * analytics can count tests and VND avoided.
 */

const isoTime = z.iso.datetime({ offset: true });

export const LAB_DISCIPLINES = ['haematology', 'biochemistry', 'immunology', 'microbiology', 'urinalysis', 'imaging'] as const;
export const labDisciplineSchema = z.enum(LAB_DISCIPLINES);

export const RESULT_STATUSES = ['final', 'amended', 'cancelled'] as const;
export const resultStatusSchema = z.enum(RESULT_STATUSES);

/** A value as the source gave it, understood: a number (comma decimals read), a positive/negative, or text. */
export const resultValueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('quantity'), value: z.number(), comparator: z.enum(['<', '<=', '>', '>=']).nullable() }),
  z.object({ kind: z.literal('coded'), code: z.enum(['positive', 'negative']), text: z.string() }),
  z.object({ kind: z.literal('text'), text: z.string() }),
]);
export type ResultValue = z.infer<typeof resultValueSchema>;

/** Where a result came from: enough to find the source line again, nothing more. */
export const resultSourceSchema = z.object({
  format: z.enum(['xml130', 'hl7v2', 'fhir']),
  /** XML 130: MA_LK (the visit key). */
  visitKey: z.string().min(1).max(100),
  /** XML 130: MA_DICH_VU + STT of the XML4 line. */
  lineKey: z.string().min(1).max(120),
});

export const labResultSchema = z.object({
  resultId: z.uuid(),
  version: z.number().int().min(1),
  enterprisePatientId: enterprisePatientIdSchema,
  performingFacility: facilityCodeSchema,
  source: resultSourceSchema,
  test: z.object({
    /** The catalogue's code for the test (null when the source's code is not in the catalogue). */
    catalogueCode: z.string().nullable(),
    /** MoH indicator code (XML4 MA_CHI_SO) and service code (MA_DICH_VU) as sent. */
    mohIndicatorCode: z.string().nullable(),
    serviceCode: z.string(),
    name: z.string(),
    loinc: z.string().nullable(),
    discipline: labDisciplineSchema.nullable(),
    /** What a consent must name for this result to leave (lab, imaging, or a sensitive one such as hiv). */
    consentCategory: dataCategorySchema,
  }),
  value: resultValueSchema.nullable(),
  unit: z.object({ original: z.string().nullable(), ucum: z.string().nullable() }),
  referenceRange: z.object({ low: z.number().nullable(), high: z.number().nullable(), text: z.string().nullable() }).nullable(),
  abnormalFlag: z.enum(['low', 'high', 'normal', 'abnormal']).nullable(),
  /** When the test was performed, and from which source field (never passed off as specimen collection). */
  performedAt: isoTime.nullable(),
  performedAtSource: z.string().nullable(),
  /** Specimen collection time when the source gave one (XML 130 never does). */
  collectedAt: isoTime.nullable(),
  resultAt: isoTime.nullable(),
  status: resultStatusSchema,
  signer: z.string().nullable(),
  priceVnd: z.number().int().min(0).nullable(),
  /** Fields the source lacked (e.g. collectedAt, referenceRange, performingLab for XML 130). */
  missingFields: z.array(z.string()),
});
export type LabResult = z.infer<typeof labResultSchema>;

export const LabResultFinalizedV1 = defineEvent({
  type: 'vn.lienthong.lab.result.finalized',
  topic: Topics.labResultV1,
  schema: labResultSchema,
  keyOf: (d) => d.enterprisePatientId,
});

/** A corrected value: a new version of the same result. */
export const LabResultAmendedV1 = defineEvent({
  type: 'vn.lienthong.lab.result.amended',
  topic: Topics.labResultV1,
  schema: labResultSchema,
  keyOf: (d) => d.enterprisePatientId,
});

/** Withdrawn from reuse and from delivery. */
export const LabResultCancelledV1 = defineEvent({
  type: 'vn.lienthong.lab.result.cancelled',
  topic: Topics.labResultV1,
  schema: labResultSchema,
  keyOf: (d) => d.enterprisePatientId,
});

export const REUSE_OUTCOMES = ['REUSE_CANDIDATE', 'REPEAT_REQUIRED'] as const;
export const REPEAT_REASONS = [
  'no-prior-result',
  'expired',
  'lab-quality-below-requester',
  'not-final',
  'negative-microbiology',
  'consent-denied',
  'time-unknown',
  'unknown-test',
] as const;
export const repeatReasonSchema = z.enum(REPEAT_REASONS);
export type RepeatReason = z.infer<typeof repeatReasonSchema>;

export const LabReuseCheckedV1 = defineEvent({
  type: 'vn.lienthong.lab.reuse.checked',
  topic: Topics.labReuseV1,
  schema: z.object({
    checkId: z.uuid(),
    enterprisePatientId: enterprisePatientIdSchema,
    requestingFacility: facilityCodeSchema,
    purpose: purposeSchema,
    ruleSetVersion: z.string(),
    checkedAt: isoTime,
    tests: z
      .array(
        z.object({
          testCode: z.string(),
          outcome: z.enum(REUSE_OUTCOMES),
          reason: repeatReasonSchema.nullable(),
          /** The candidate's identity, never its value. */
          candidate: z.object({ resultId: z.uuid(), version: z.number().int(), performingFacility: facilityCodeSchema, validUntil: isoTime }).nullable(),
          priceVnd: z.number().int().min(0).nullable(),
        }),
      )
      .min(1),
  }),
  keyOf: (d) => d.enterprisePatientId,
});

/** The treating doctor's choice for one test of a check: reused (a test avoided) or re-tested, and why. */
export const LabReuseDecidedV1 = defineEvent({
  type: 'vn.lienthong.lab.reuse.decided',
  topic: Topics.labReuseV1,
  schema: z.object({
    decisionId: z.uuid(),
    checkId: z.uuid(),
    enterprisePatientId: enterprisePatientIdSchema,
    requestingFacility: facilityCodeSchema,
    testCode: z.string(),
    decision: z.enum(['reused', 'retested']),
    /** Why a candidate was not reused (coded), or null. */
    retestReason: z.enum(['clinical-change', 'result-doubtful', 'patient-request', 'other', 'no-candidate']).nullable(),
    resultId: z.uuid().nullable(),
    /** The test's indicative price when reused, else 0: analytics sums it as VND avoided. */
    priceAvoidedVnd: z.number().int().min(0),
    decidedAt: isoTime,
  }),
  keyOf: (d) => d.enterprisePatientId,
});

export const LAB_RESULT_EVENTS = [LabResultFinalizedV1, LabResultAmendedV1, LabResultCancelledV1] as const;
export const LAB_REUSE_EVENTS = [LabReuseCheckedV1, LabReuseDecidedV1] as const;
