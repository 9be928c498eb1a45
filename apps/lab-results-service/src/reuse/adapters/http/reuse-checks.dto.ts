import { enterprisePatientIdSchema, facilityCodeSchema } from '@lienthong/contracts';
import { parseCccd } from '@lienthong/vn-standards';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { RETEST_REASONS } from '../../domain/reuse-check';
import { type PatientReference } from '../../use-cases/run-reuse-check/run-reuse-check.use-case';

/*
 * Request shapes of the reuse routes. Objects are strict: a body naming `requestingFacility` is
 * refused, not ignored — the requester is the token's facility. Shapes only: what must exist (the
 * patient, a rule set at `at`, the test in the check) is the use cases'.
 */

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with its offset, e.g. 2026-11-20T09:00:00+07:00' });

/** Exactly one way of naming the patient: its enterprise id, its CCCD, or a local id (the requester's own; `facility` may repeat it). */
const patientSchema = z
  .strictObject({
    enterprisePatientId: enterprisePatientIdSchema.optional(),
    /** The patient's 12-digit CCCD; looked up through identity-service, never stored here. */
    cccd: z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        const parsed = parseCccd(value);
        if (!parsed.ok) for (const e of parsed.errors) ctx.addIssue({ code: 'custom', message: e.message });
      })
      .optional(),
    facility: facilityCodeSchema.optional(),
    localId: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((p, ctx) => {
    const given = [p.enterprisePatientId, p.cccd, p.localId].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'name the patient one way: enterprisePatientId, cccd, or localId (with facility)' });
    if (p.facility !== undefined && p.localId === undefined) ctx.addIssue({ code: 'custom', path: ['facility'], message: 'facility goes with localId' });
  });

/** `POST /v1/reuse-checks`: may this facility reuse the patient's results for these tests, or must it re-test? */
export class RunReuseCheckDto extends createZodDto(
  z.strictObject({
    patient: patientSchema,
    /** Why the results are read (default treatment); `referral` needs the requester's own link to the patient. */
    purpose: z.enum(['treatment', 'emergency', 'referral']).default('treatment'),
    /** Catalogue codes (GLU), MoH indicator codes (MA_CHI_SO) or service codes (MA_DICH_VU). */
    testCodes: z.array(z.string().trim().min(1).max(64)).min(1).max(50),
    /** The time the check is about (default now): the rule set in effect then, windows counted to then. */
    at: instant.optional(),
  }),
) {}

/** The validated body's patient as the use case names it. */
export function patientReference(patient: RunReuseCheckDto['patient']): PatientReference {
  if (patient.enterprisePatientId !== undefined) return { enterprisePatientId: patient.enterprisePatientId };
  if (patient.cccd !== undefined) return { cccd: patient.cccd };
  return { facility: patient.facility, localId: patient.localId ?? '' };
}

/** `POST /v1/reuse-checks/{checkId}/decisions`: the treating doctor's choice for one test of the check. */
export class RecordReuseDecisionDto extends createZodDto(
  z.strictObject({
    /** The test's catalogue code, or the code it was asked by. */
    testCode: z.string().trim().min(1).max(64),
    decision: z.enum(['reused', 'retested']),
    /** Why a reusable result is re-tested (required then); absent for a reuse; `no-candidate` when the check found none. */
    retestReason: z.enum(RETEST_REASONS).optional(),
  }),
) {}

export class CheckIdParamDto extends createZodDto(z.strictObject({ checkId: z.uuid() })) {}

export class RuleSetVersionParamDto extends createZodDto(z.strictObject({ version: z.string().min(1).max(64) })) {}
