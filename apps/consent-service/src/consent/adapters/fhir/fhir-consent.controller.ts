import { FHIR_CONTENT_TYPE, type fhir4, type FhirUrls } from '@lienthong/fhir';
import { OperationOutcomeFilter, RequestFhirUrls } from '@lienthong/fhir/nest';
import { type Actor, CurrentActor, Public, RequireScopes } from '@lienthong/platform';
import { All, Controller, Get, Header, NotFoundException, Param, ParseIntPipe, ParseUUIDPipe, Query, Req, UseFilters } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { GetConsentUseCase } from '../../use-cases/get-consent/get-consent.use-case';
import { ListPatientConsentsUseCase } from '../../use-cases/list-patient-consents/list-patient-consents.use-case';
import { toDomainError } from '../http/consent-problem.filter';
import { ConsentScopes } from '../http/consents.controller';
import { consentCapabilityStatement } from './capability-statement';
import { consentSearchBundle, countParameter, cursorParameter, patientParameter, toFhirConsent } from './consent-fhir.mapper';

/** Consent's coded errors take the same road to OperationOutcome as to problem+json. */
const outcomeFilter = new OperationOutcomeFilter((e) => (e instanceof ConsentError ? toDomainError(e) : e));

/**
 * consent-service's FHIR R4 server at `/fhir`: Consent read, vread and search by patient, the
 * CapabilityStatement, and an OperationOutcome for any other `/fhir` route. Reads go through the same
 * use cases (and the same disclosure rule and audit) as REST.
 */
@ApiTags('fhir')
@Controller('fhir')
@UseFilters(outcomeFilter)
export class FhirConsentController {
  /** R4 requires a date on the statement; what it describes changes only with a deploy. */
  private readonly startedAt = new Date();

  constructor(
    private readonly getConsent: GetConsentUseCase,
    private readonly listConsents: ListPatientConsentsUseCase,
  ) {}

  @Get('metadata')
  @Public()
  @Header('content-type', FHIR_CONTENT_TYPE)
  @ApiOperation({ summary: 'The CapabilityStatement (no token needed).' })
  metadata(@RequestFhirUrls('/fhir') urls: FhirUrls): fhir4.CapabilityStatement {
    return consentCapabilityStatement(urls.baseUrl, this.startedAt);
  }

  @Get('Consent/:id/_history/:version')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.read)
  @ApiOperation({ summary: 'One version of a consent (vread).' })
  async vread(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('version', new ParseIntPipe()) version: number,
  ): Promise<fhir4.Consent> {
    return toFhirConsent(await this.getConsent.execute(actor, id, { version }), new Date(), version);
  }

  @Get('Consent/:id')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.read)
  @ApiOperation({ summary: 'A consent’s current version.' })
  async read(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<fhir4.Consent> {
    return toFhirConsent(await this.getConsent.execute(actor, id), new Date());
  }

  @Get('Consent')
  @Header('content-type', FHIR_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.read)
  @ApiOperation({ summary: 'A patient’s consents (current versions), newest first: `patient`, `_count`.' })
  async search(
    @CurrentActor() actor: Actor,
    @RequestFhirUrls('/fhir') urls: FhirUrls,
    // Typed as documented; a repeated parameter arrives as an array all the same (the mapper refuses it).
    @Query('patient') patient?: string,
    @Query('_count') count?: string,
    @Query('_cursor') cursor?: string,
  ): Promise<fhir4.Bundle<fhir4.Consent>> {
    const patientId = patientParameter(patient);
    const limit = countParameter(count);
    const page = await this.listConsents.execute(actor, patientId, { cursor: cursorParameter(cursor), limit }).catch((error: unknown) => {
      // A search matching nothing the caller may see is an empty set, whether the patient is unknown or not theirs.
      if (error instanceof ConsentError && error.code === ConsentErrorCode.NotFound) return { items: [], nextCursor: null };
      throw error;
    });
    const next = (after: string) => `${urls.baseUrl}/Consent?patient=${encodeURIComponent(`Patient/${patientId}`)}&_count=${limit}&_cursor=${after}`;
    return consentSearchBundle(urls, page, new Date(), next);
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
}
