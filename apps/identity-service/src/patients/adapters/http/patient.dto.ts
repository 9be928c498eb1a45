import { FACILITY_CODE_MESSAGE, FACILITY_CODE_PATTERN } from '@lienthong/vn-standards';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import { invalidInput } from '../../../domain/identity-error';
import { isCanonical, parseIdentifierToken } from '../../domain/identifiers';
import { registerPatientBodySchema } from '../../domain/registration-input';
import { type PatientSearch } from '../../use-cases/search-patients/search-patients.use-case';

/** `POST /v1/patients` — the schema is the domain's, so OpenAPI shows exactly what is validated. */
export class RegisterPatientDto extends createZodDto(registerPatientBodySchema) {}

export class MergePatientsDto extends createZodDto(z.object({ mergedId: z.uuid('mergedId must be a UUID') })) {}

export class SearchPatientsQueryDto extends createZodDto(
  z
    .object({
      /** `system|value`, e.g. `cccd|079190000001` (matched by blind index). */
      identifier: z.string().min(3).max(80).optional(),
      /** With localId: whose local id (default: the facility this request speaks for). */
      facility: z.string().regex(FACILITY_CODE_PATTERN, FACILITY_CODE_MESSAGE).optional(),
      localId: z.string().trim().min(1).max(100).optional(),
    })
    .refine((q) => q.identifier !== undefined || q.localId !== undefined, { message: 'give identifier, or localId (and facility)', path: ['identifier'] }),
) {}

/** The validated query as a use-case search; the identifier is normalised exactly as registration does. */
export function patientSearch(query: SearchPatientsQueryDto, actingFacility: string | undefined): PatientSearch {
  if (query.identifier !== undefined) {
    const identifier = parseIdentifierToken(query.identifier);
    if (!isCanonical(identifier)) throw invalidInput('the identifier is invalid', identifier.map((e) => ({ field: 'identifier', ...e })));
    return { by: 'identifier', identifier };
  }
  return { by: 'local-id', facilityCode: query.facility ?? actingFacility ?? '', localId: query.localId ?? '' };
}
