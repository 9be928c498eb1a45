import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actingFacility, CurrentActor, RequireFacility, RequireScopes, type Actor } from '@lienthong/platform';
import type { FastifyReply } from 'fastify';
import { AuditPageQueryDto } from '../../../http/page.dto';
import { IdentityProblemFilter } from '../../../http/identity-error.mapping';
import { NoStore } from '../../../http/no-store';
import { Scopes } from '../../../scopes';
import { GetPatientUseCase } from '../../use-cases/get-patient/get-patient.use-case';
import { ReadAuditUseCase } from '../../use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from '../../use-cases/register-patient/register-patient.use-case';
import { SearchPatientsUseCase } from '../../use-cases/search-patients/search-patients.use-case';
import { patientSearch, RegisterPatientDto, SearchPatientsQueryDto } from './patient.dto';
import { patientLocation, registrationStatus, restPatient } from './patient.presenter';

@ApiTags('patients')
@Controller('v1/patients')
@UseFilters(IdentityProblemFilter)
@NoStore()
export class PatientsController {
  constructor(
    private readonly register: RegisterPatientUseCase,
    private readonly getPatient: GetPatientUseCase,
    private readonly searchPatients: SearchPatientsUseCase,
    private readonly readAudit: ReadAuditUseCase,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScopes(Scopes.patientWrite)
  @RequireFacility()
  @ApiOperation({ summary: 'Register or update a facility patient; answers the enterprise patient id and how it was resolved.' })
  @ApiCreatedResponse({ description: 'A new enterprise patient (outcome created, or review: pending a steward); Location names it.' })
  @ApiOkResponse({ description: 'Linked to, or updated, an existing enterprise patient.' })
  async registerPatient(
    @CurrentActor() actor: Actor,
    @Body() body: RegisterPatientDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const result = await this.register.execute({ actor, body, idempotencyKey: idempotencyKey?.trim() || undefined });
    if (registrationStatus(result.outcome) === 201) void reply.status(201).header('location', patientLocation(result.enterprisePatientId));
    return result;
  }

  @Get()
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Search by identifier (system|value, blind index) or by facility + local id.' })
  async search(@CurrentActor() actor: Actor, @Query() query: SearchPatientsQueryDto) {
    return { items: (await this.searchPatients.execute(actor, patientSearch(query, actingFacility(actor)))).items.map(restPatient) };
  }

  @Get(':id')
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Read a patient; a merged id answers with its survivor (redirectedFrom).' })
  async read(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return restPatient((await this.getPatient.execute(actor, id)).view);
  }

  @Get(':id/audit')
  @RequireScopes(Scopes.auditRead)
  @ApiOperation({ summary: 'Audit trail of one patient, newest first.' })
  audit(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Query() page: AuditPageQueryDto) {
    return this.readAudit.execute(actor, id, page);
  }
}
