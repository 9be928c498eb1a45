import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { actingFacility, CurrentActor, RequireFacility, RequireScopes, type Actor } from '@lienthong/platform';
import { AuditPageQueryDto } from '../../../http/page.dto';
import { IdentityProblemFilter } from '../../../http/identity-error.mapping';
import { Scopes } from '../../../scopes';
import { GetPatientUseCase } from '../../use-cases/get-patient/get-patient.use-case';
import { ReadAuditUseCase } from '../../use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from '../../use-cases/register-patient/register-patient.use-case';
import { SearchPatientsUseCase } from '../../use-cases/search-patients/search-patients.use-case';
import { patientSearch, RegisterPatientDto, SearchPatientsQueryDto } from './patient.dto';

@ApiTags('patients')
@Controller('v1/patients')
@UseFilters(IdentityProblemFilter)
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
  registerPatient(@CurrentActor() actor: Actor, @Body() body: RegisterPatientDto, @Headers('idempotency-key') idempotencyKey?: string) {
    return this.register.execute({ actor, body, idempotencyKey: idempotencyKey?.trim() || undefined });
  }

  @Get()
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Search by identifier (system|value, blind index) or by facility + local id.' })
  async search(@CurrentActor() actor: Actor, @Query() query: SearchPatientsQueryDto) {
    return { items: (await this.searchPatients.execute(actor, patientSearch(query, actingFacility(actor)))).items };
  }

  @Get(':id')
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Read a patient; a merged id answers with its survivor (redirectedFrom).' })
  async read(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return (await this.getPatient.execute(actor, id)).view;
  }

  @Get(':id/audit')
  @RequireScopes(Scopes.auditRead)
  @ApiOperation({ summary: 'Audit trail of one patient, newest first.' })
  audit(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Query() page: AuditPageQueryDto) {
    return this.readAudit.execute(actor, id, page);
  }
}
