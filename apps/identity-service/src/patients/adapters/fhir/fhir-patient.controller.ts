import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FHIR_CONTENT_TYPE, type fhir4, type FhirUrls } from '@lienthong/fhir';
import { OperationOutcomeFilter, RequestFhirUrls } from '@lienthong/fhir/nest';
import { CurrentActor, RequireScopes, type Actor } from '@lienthong/platform';
import { IdentityError } from '../../../domain/identity-error';
import { toDomainError } from '../../../http/identity-error.mapping';
import { Scopes } from '../../../scopes';
import { CrossReferenceUseCase } from '../../use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from '../../use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from '../../use-cases/match-patients/match-patients.use-case';
import { SearchPatientsUseCase } from '../../use-cases/search-patients/search-patients.use-case';
import { fhirMatchInput, matchBundle, pixParameters, pixTargetFacility, searchBundle, tokenSearch, toFhirPatient } from './patient-fhir.mapper';

/** Identity's coded errors take the same road to OperationOutcome as to problem+json. */
const outcomeFilter = new OperationOutcomeFilter((e) => (e instanceof IdentityError ? toDomainError(e) : e));

/** FHIR R4 Patient read/search, IHE PIXm `$ihe-pix` and PDQm-style `$match`. */
@ApiTags('fhir')
@Controller('fhir')
@UseFilters(outcomeFilter)
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
  async pix(@CurrentActor() actor: Actor, @Query('sourceIdentifier') sourceIdentifier?: string, @Query('targetSystem') targetSystem?: string): Promise<fhir4.Parameters> {
    const targetFacility = pixTargetFacility(targetSystem);
    return pixParameters(await this.crossReference.execute(actor, tokenSearch(sourceIdentifier, 'sourceIdentifier'), targetFacility));
  }

  @Post('Patient/$match')
  @HttpCode(200)
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'PDQm $match: ranked candidates with score and match-grade (needs lienthong/patient.crossref).' })
  async match(@CurrentActor() actor: Actor, @RequestFhirUrls('/fhir') urls: FhirUrls, @Body() body: unknown): Promise<fhir4.Bundle<fhir4.Patient>> {
    const { input, onlyCertain } = fhirMatchInput(body);
    return matchBundle(urls, await this.matchPatients.execute(actor, input, onlyCertain));
  }

  @Get('Patient/:id')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  async read(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<fhir4.Patient> {
    return toFhirPatient((await this.getPatient.execute(actor, id)).view);
  }

  @Get('Patient')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  async search(@CurrentActor() actor: Actor, @RequestFhirUrls('/fhir') urls: FhirUrls, @Query('identifier') identifier?: string): Promise<fhir4.Bundle<fhir4.Patient>> {
    return searchBundle(urls, (await this.searchPatients.execute(actor, tokenSearch(identifier, 'identifier'))).items);
  }
}
