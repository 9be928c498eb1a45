import { enterprisePatientIdSchema, facilityCodeSchema } from '@lienthong/contracts';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

/** The longest period one report covers (a leap year). */
const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;

/** `POST /v1/emergency-access`: break-the-glass as the clinician declares it. */
export class DeclareEmergencyAccessDto extends createZodDto(
  z.strictObject({
    enterprisePatientId: enterprisePatientIdSchema,
    /** The clinician as the facility's HIS identifies them: an id, never a name. */
    clinicianId: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'an identifier (letters, digits, . _ : / -), not a name'),
    /** Why, in the clinician's words (kept with the grant and shown in the report; never published). */
    reason: z.string().trim().min(10).max(1000),
    /** How long the access lasts; the service's default when absent, at most its configured maximum. */
    durationMinutes: z.number().int().min(1).optional(),
  }),
) {}

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with its offset, e.g. 2026-03-01T00:00:00+07:00' });

/** `GET /v1/emergency-access/report`: accesses granted in [from, to), at most 366 days, optionally one facility. */
export class EmergencyAccessReportQueryDto extends createZodDto(
  z
    .object({
      from: instant,
      to: instant,
      facilityCode: facilityCodeSchema.optional(),
    })
    .superRefine((q, ctx) => {
      const span = Date.parse(q.to) - Date.parse(q.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (span > MAX_REPORT_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `a report covers at most ${MAX_REPORT_DAYS} days` });
    }),
) {}
