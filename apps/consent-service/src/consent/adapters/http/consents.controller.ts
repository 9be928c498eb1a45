import { type Actor, CurrentActor, RequireFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ChangeConsentUseCase } from '../../use-cases/change-consent/change-consent.use-case';
import { GetConsentUseCase } from '../../use-cases/get-consent/get-consent.use-case';
import { ListPatientConsentsUseCase } from '../../use-cases/list-patient-consents/list-patient-consents.use-case';
import { RecordConsentUseCase } from '../../use-cases/record-consent/record-consent.use-case';
import { WithdrawConsentUseCase } from '../../use-cases/withdraw-consent/withdraw-consent.use-case';
import { consentLocation, type ConsentView, restConsent, restConsentPage } from './consent.presenter';
import { ConsentProblemFilter } from './consent-problem.filter';
import { ChangeConsentDto, ConsentPageQueryDto, RecordConsentDto, WithdrawConsentDto } from './consents.dto';

/** SMART scopes of the consent routes (REST and FHIR). */
export const ConsentScopes = {
  /** Record, change and withdraw consents (a facility, or a service acting for one). */
  write: 'system/Consent.c',
  /** Read a consent, a patient's consents, FHIR Consent read/vread/search. */
  read: 'system/Consent.rs',
} as const;

const NOT_FOUND = 'No such consent or patient, or none whose consents this caller may read (problem+json).';

/**
 * Consents over REST: record (grant or refuse), change, withdraw, read, and a patient's history. Every
 * answer names a patient's choices: no-store. Thin: each route calls one use case and presents the result.
 */
@ApiTags('consents')
@Controller('v1')
@UseFilters(ConsentProblemFilter)
export class ConsentsController {
  constructor(
    private readonly record: RecordConsentUseCase,
    private readonly change: ChangeConsentUseCase,
    private readonly withdraw: WithdrawConsentUseCase,
    private readonly getConsent: GetConsentUseCase,
    private readonly listConsents: ListPatientConsentsUseCase,
  ) {}

  @Post('consents')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.write)
  @RequireFacility()
  @ApiOperation({ summary: 'Record what the patient said — a grant or a refusal — with its evidence: version 1 of a new consent, recorded at the calling facility.' })
  @ApiCreatedResponse({ description: 'The consent with its version; Location names it.' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid statement, unknown patient or grantee facility (problem+json naming each field); nothing is recorded.' })
  async recordConsent(@CurrentActor() actor: Actor, @Body() body: RecordConsentDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConsentView> {
    const consent = await this.record.execute({ actor, ...body });
    void reply.header('location', consentLocation(consent.consentId));
    return restConsent(consent, new Date());
  }

  @Post('consents/:consentId/versions')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.write)
  @RequireFacility()
  @ApiOperation({ summary: 'Change what a granted consent covers: the next version, with the whole new scope and its own evidence.' })
  @ApiCreatedResponse({ description: 'The consent with every version, the new one first.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'The consent is not granted (refused or withdrawn).' })
  async changeConsent(@CurrentActor() actor: Actor, @Param('consentId', new ParseUUIDPipe()) consentId: string, @Body() body: ChangeConsentDto): Promise<ConsentView> {
    return restConsent(await this.change.execute({ actor, consentId, ...body }), new Date());
  }

  @Post('consents/:consentId/withdrawal')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.write)
  @RequireFacility()
  @ApiOperation({ summary: 'Withdraw a granted consent from now: the next version, status withdrawn; the very next decision denies.' })
  @ApiCreatedResponse({ description: 'The consent with every version, the withdrawal first.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'The consent is not granted (refused, or already withdrawn).' })
  async withdrawConsent(@CurrentActor() actor: Actor, @Param('consentId', new ParseUUIDPipe()) consentId: string, @Body() body: WithdrawConsentDto): Promise<ConsentView> {
    return restConsent(await this.withdraw.execute({ actor, consentId, ...body }), new Date());
  }

  @Get('consents/:consentId')
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.read)
  @ApiOperation({ summary: 'A consent with every version, newest first.' })
  @ApiOkResponse({ description: 'The consent.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async readConsent(@CurrentActor() actor: Actor, @Param('consentId', new ParseUUIDPipe()) consentId: string): Promise<ConsentView> {
    return restConsent(await this.getConsent.execute(actor, consentId), new Date());
  }

  @Get('patients/:enterprisePatientId/consents')
  @Header('cache-control', 'no-store')
  @RequireScopes(ConsentScopes.read)
  @ApiOperation({ summary: 'A patient’s consents with every version (the history), newest first, cursor-paginated.' })
  @ApiOkResponse({ description: '`{ items, nextCursor }`.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async patientConsents(@CurrentActor() actor: Actor, @Param('enterprisePatientId', new ParseUUIDPipe()) enterprisePatientId: string, @Query() page: ConsentPageQueryDto) {
    return restConsentPage(await this.listConsents.execute(actor, enterprisePatientId, page), new Date());
  }
}
