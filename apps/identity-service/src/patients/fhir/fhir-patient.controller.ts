import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@lienthong/platform';
import { Scopes, type Actor } from '../domain/actor';
import { splitToken } from '../domain/identifier-query';
import { PatientError, PatientErrorCode } from '../domain/patient-error';
import { Caller } from '../http/caller.decorator';
import { CrossReferenceUseCase } from '../use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from '../use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from '../use-cases/match-patients/match-patients.use-case';
import { SearchPatientsUseCase, type PatientSearch } from '../use-cases/search-patients/search-patients.use-case';
import { type FhirBundle, type FhirParameters, type FhirPatient } from './fhir-types';
import { fhirMatchInput, matchBundle, searchBundle } from './fhir-bundles';
import { OperationOutcomeFilter } from './operation-outcome.filter';
import { FHIR_CONTENT_TYPE, localIdSystem, parseSystemUri, toFhirPatient } from './patient-fhir.mapper';

function invalid(field: string, message: string): PatientError {
  return new PatientError(PatientErrorCode.Validation, message, [{ pointer: field, rule: 'fhir.token', message }]);
}

/** `system|value` FHIR token → the search it denotes. */
export function tokenSearch(token: string | undefined, field: string): PatientSearch {
  const parts = token === undefined ? undefined : splitToken(token);
  if (!parts) throw invalid(field, `${field} must be system|value`);
  const system = parseSystemUri(parts.system);
  if (!system) throw invalid(field, `unknown identifier system ${parts.system}`);
  return system.kind === 'local'
    ? { by: 'local-id', facilityCode: system.facilityCode, localId: parts.value }
    : { by: 'identifier', system: system.system, value: parts.value };
}

/** FHIR R4 Patient read/search, IHE PIXm `$ihe-pix` and PDQm-style `$match`. */
@ApiTags('fhir')
@Controller('fhir')
@UseFilters(OperationOutcomeFilter)
export class FhirPatientController {
  constructor(
    private readonly getPatient: GetPatientUseCase,
    private readonly searchPatients: SearchPatientsUseCase,
    private readonly crossReference: CrossReferenceUseCase,
    private readonly matchPatients: MatchPatientsUseCase,
  ) {}

  @Get('Patient/$ihe-pix')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'IHE PIXm: the ids each facility holds for the patient (needs lienthong/patient.crossref).' })
  async pix(@Caller() actor: Actor, @Query('sourceIdentifier') sourceIdentifier?: string, @Query('targetSystem') targetSystem?: string): Promise<FhirParameters> {
    let targetFacility: string | undefined;
    if (targetSystem !== undefined) {
      const parsed = parseSystemUri(targetSystem);
      if (!parsed || parsed.kind !== 'local') throw invalid('targetSystem', 'targetSystem must be a facility local-id system');
      targetFacility = parsed.facilityCode;
    }
    const refs = await this.crossReference.execute(actor, tokenSearch(sourceIdentifier, 'sourceIdentifier'), targetFacility);
    return {
      resourceType: 'Parameters',
      parameter: refs.flatMap((r) => [
        ...r.links.map((l) => ({ name: 'targetIdentifier', valueIdentifier: { system: localIdSystem(l.facilityCode), value: l.localId } })),
        { name: 'targetId', valueReference: { reference: `Patient/${r.enterprisePatientId}` } },
      ]),
    };
  }

  @Post('Patient/$match')
  @HttpCode(200)
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'PDQm $match: ranked candidates with score and match-grade (needs lienthong/patient.crossref).' })
  async match(@Caller() actor: Actor, @Body() body: unknown): Promise<FhirBundle> {
    const { input, onlyCertain } = fhirMatchInput(body);
    return matchBundle(await this.matchPatients.execute(actor, input, onlyCertain));
  }

  @Get('Patient/:id')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  async read(@Caller() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<FhirPatient> {
    return toFhirPatient((await this.getPatient.execute(actor, id)).view);
  }

  @Get('Patient')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  async search(@Caller() actor: Actor, @Query('identifier') identifier?: string): Promise<FhirBundle> {
    return searchBundle((await this.searchPatients.execute(actor, tokenSearch(identifier, 'identifier'))).items);
  }
}
