import { consentChannelSchema, dataCategorySchema, enterprisePatientIdSchema, granteeSchema, purposeSchema } from '@lienthong/contracts';
import { DATA_CATEGORIES, PURPOSES_OF_USE, REPRESENTATIVE_RELATIONSHIPS } from '@lienthong/vn-standards';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

/*
 * Request shapes of the consent routes. The vocabularies (purposes, categories, grantees, channels)
 * are the contracts' — what a request may name is what the events can carry. Shapes only: the rules
 * between fields (a period's order, the evidence each channel needs, a real birth date) are the
 * domain's checkStatement, and what must be known (the patient, the grantee facilities) the use case's.
 * Objects are strict: a body naming `recordedAtFacility` or `recordedAt` is refused, not silently
 * ignored — both come from the token and the server's clock.
 */

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with its offset, e.g. 2026-03-01T00:00:00+07:00' });

/**
 * A list of vocabulary values, each at most once: the vocabulary's size bounds it, and a repeat (which
 * would be stored and published as given: ten thousand `treatment`s) is refused at the second one.
 */
function eachOnce<T extends z.ZodType<string>>(item: T, vocabularySize: number) {
  return z
    .array(item)
    .min(1)
    .max(vocabularySize)
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [index], message: `${value} is named more than once` });
        seen.add(value);
      });
    });
}

const scopeSchema = z.strictObject({
  purposes: eachOnce(purposeSchema, PURPOSES_OF_USE.length),
  /** Sensitive categories (hiv, mental-health, genetics, sexual-reproductive-health) are covered only when named here. */
  categories: eachOnce(dataCategorySchema, DATA_CATEGORIES.length),
  grantees: z.array(granteeSchema).min(1).max(20),
  /** Default: when the consent is recorded. */
  validFrom: instant.optional(),
  /** Absent or null: until withdrawn. */
  validUntil: instant.nullable().optional(),
});

const evidenceSchema = z.strictObject({
  channel: consentChannelSchema,
  /** VNeID's transaction id or the SMS message id (required for those channels). */
  reference: z.string().trim().min(1).max(200).optional(),
  /** The SHA-256 of the signed paper's scan, 64 hex digits (required for `signed-paper`). */
  documentSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'the SHA-256 of the scan: 64 hex digits')
    .optional(),
  /** The member of staff who took it, as the facility's HIS names them. */
  recordedBy: z.string().trim().min(1).max(100),
  /** The patient was told which of the data is sensitive (Law 91/2025): must be true. */
  informedOfSensitivity: z.boolean(),
});

const representativeSchema = z.strictObject({
  relationship: z.enum(REPRESENTATIVE_RELATIONSHIPS),
  name: z.string().trim().min(1).max(200),
  /** The patient's birth date as on the birth certificate the recorder saw. */
  subjectBirthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
  /** From age 7 the child's own consent is needed too (Law 91/2025, art. 24). */
  childConsented: z.boolean(),
});

/** `POST /v1/consents`: a grant or a refusal, version 1 of a new consent. */
export class RecordConsentDto extends createZodDto(
  z.strictObject({
    enterprisePatientId: enterprisePatientIdSchema,
    decision: z.enum(['grant', 'refuse']),
    scope: scopeSchema,
    evidence: evidenceSchema,
    /** A legal representative who spoke for a minor or a person without capacity. */
    representative: representativeSchema.optional(),
  }),
) {}

/** `POST /v1/consents/{consentId}/versions`: a granted consent's new scope (the whole of it) with its evidence. */
export class ChangeConsentDto extends createZodDto(
  z.strictObject({
    scope: scopeSchema,
    evidence: evidenceSchema,
    representative: representativeSchema.optional(),
  }),
) {}

/** `POST /v1/consents/{consentId}/withdrawal`: the evidence of the withdrawal. */
export class WithdrawConsentDto extends createZodDto(
  z.strictObject({
    evidence: evidenceSchema,
    representative: representativeSchema.optional(),
  }),
) {}

/** `?cursor=<consent id>&limit=` over a patient's consents, newest first. */
export class ConsentPageQueryDto extends createZodDto(
  z.object({
    cursor: z.uuid('cursor is the last consent id of the previous page').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  }),
) {}
