import { All, Body, Controller, Get, Header, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { facilityOfLocalIdSystem, FHIR_CONTENT_TYPE, type fhir4, type FhirUrls } from '@lienthong/fhir';
import { OperationOutcomeFilter, RequestFhirUrls } from '@lienthong/fhir/nest';
import { CurrentActor, Public, RequireScopes, type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { GetFacilityUseCase } from '../../../facilities/use-cases/get-facility/get-facility.use-case';
import { toDomainError } from '../../../http/identity-error.mapping';
import { NoStore } from '../../../http/no-store';
import { CrossReferenceUseCase } from '../../use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from '../../use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from '../../use-cases/match-patients/match-patients.use-case';
import { SearchPatientsUseCase } from '../../use-cases/search-patients/search-patients.use-case';
import { Scopes } from '../../../scopes';
import { identityCapabilityStatement } from './capability-statement';
import { fhirMatchInput, matchBundle, pixParameters, pixSource, pixTargetFacility, searchBundle, tokenSearch, toFhirPatient } from './patient-fhir.mapper';

/** Identity's coded errors take the same road to OperationOutcome as to problem+json. */
const outcomeFilter = new OperationOutcomeFilter((e) => (e instanceof IdentityError ? toDomainError(e) : e));

/**
 * identity-service's FHIR R4 server at `/fhir`: Patient read/search, IHE PIXm `$ihe-pix`, PDQm-style
 * `$match`, the CapabilityStatement, and an OperationOutcome for any other `/fhir` route. Every answer
 * can name a patient: no-store.
 */
@ApiTags('fhir')
@Controller('fhir')
@UseFilters(outcomeFilter)
@NoStore()
export class FhirPatientController {
  /** R4 requires a date on the statement; what it describes changes only with a deploy. */
  private readonly startedAt = new Date();

  constructor(
    private readonly getPatient: GetPatientUseCase,
    private readonly searchPatients: SearchPatientsUseCase,
    private readonly crossReference: CrossReferenceUseCase,
    private readonly matchPatients: MatchPatientsUseCase,
    private readonly getFacility: GetFacilityUseCase,
  ) {}

  @Get('metadata')
  @Public()
  @Header('content-type', FHIR_CONTENT_TYPE)
  @ApiOperation({ summary: 'The CapabilityStatement: interactions, search parameters, operations, formats and scopes (no token needed).' })
  metadata(@RequestFhirUrls('/fhir') urls: FhirUrls): fhir4.CapabilityStatement {
    return identityCapabilityStatement(urls.baseUrl, this.startedAt);
  }

  @Get('Patient/$ihe-pix')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'IHE PIXm: the ids each facility holds for the patient (needs lienthong/patient.crossref).' })
  async pix(@CurrentActor() actor: Actor, @Query('sourceIdentifier') sourceIdentifier?: string, @Query('targetSystem') targetSystem?: string): Promise<fhir4.Parameters> {
    const facilities = await this.registeredFacilities([sourceIdentifier, targetSystem]);
    const known = (code: string) => facilities.has(code);
    const source = pixSource(sourceIdentifier, known);
    const targetFacility = pixTargetFacility(targetSystem, known);
    return pixParameters(await this.crossReference.execute(actor, source, targetFacility));
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

  /**
   * Anything else under /fhir is a FHIR request too, so it is refused as FHIR: a 404 OperationOutcome,
   * not the platform's problem+json. Public like the platform's own 404: an unknown route reveals nothing.
   */
  @All('*')
  @Public()
  @ApiExcludeEndpoint()
  unknown(@Req() request: FastifyRequest): never {
    throw new NotFoundException(`no FHIR interaction ${request.method} ${request.url.split('?')[0] ?? ''}`);
  }

  /** The facility codes among the local-id systems named in PIXm parameters that the registry knows. */
  private async registeredFacilities(tokens: readonly (string | undefined)[]): Promise<ReadonlySet<string>> {
    const codes = tokens.flatMap((token) => {
      const code = token === undefined ? undefined : facilityOfLocalIdSystem(token.split('|')[0] ?? '');
      return code === undefined ? [] : [code];
    });
    const known = await Promise.all(
      codes.map((code) =>
        this.getFacility.execute(code).then(
          () => code,
          (error: unknown) => {
            if (error instanceof IdentityError && error.code === IdentityErrorCode.FacilityNotFound) return undefined;
            throw error;
          },
        ),
      ),
    );
    return new Set(known.filter((c): c is string => c !== undefined));
  }
}
