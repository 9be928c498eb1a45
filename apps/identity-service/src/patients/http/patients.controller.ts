import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes, ZodValidationPipe } from '@lienthong/platform';
import { Scopes, type Actor } from '../domain/actor';
import { splitToken } from '../domain/identifier-query';
import { PatientError, PatientErrorCode } from '../domain/patient-error';
import { GetPatientUseCase } from '../use-cases/get-patient/get-patient.use-case';
import { ReadAuditUseCase } from '../use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from '../use-cases/register-patient/register-patient.use-case';
import { SearchPatientsUseCase } from '../use-cases/search-patients/search-patients.use-case';
import { type PatientView } from '../visibility/patient-view';
import { Caller } from './caller.decorator';
import { pageQuerySchema, type PageQuery } from './page-query';
import { PatientProblemFilter } from './patient-error.mapping';

@ApiTags('patients')
@Controller('v1/patients')
@UseFilters(PatientProblemFilter)
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
  @ApiOperation({ summary: 'Register or update a facility patient; answers the enterprise patient id and how it was resolved.' })
  @ApiBody({ description: '{ localId, fullName, birthDate?, sex, address?, phone?, identifiers[] } — facility from the token.' })
  registerPatient(@Caller() actor: Actor, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    return this.register.execute({ actor, body, idempotencyKey: idempotencyKey?.trim() || undefined });
  }

  @Get()
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Search by identifier (system|value, blind index) or by facility + local id.' })
  async search(
    @Caller() actor: Actor,
    @Query('identifier') identifier?: string,
    @Query('facility') facility?: string,
    @Query('localId') localId?: string,
  ): Promise<{ items: readonly PatientView[] }> {
    if (identifier !== undefined) {
      const token = splitToken(identifier);
      if (!token) throw new PatientError(PatientErrorCode.Validation, 'identifier must be system|value', [{ pointer: 'identifier', rule: 'identifier.token', message: 'expected system|value' }]);
      return { items: (await this.searchPatients.execute(actor, { by: 'identifier', ...token })).items };
    }
    if (localId !== undefined) {
      const facilityCode = facility ?? actor.facilityCode ?? '';
      return { items: (await this.searchPatients.execute(actor, { by: 'local-id', facilityCode, localId })).items };
    }
    throw new PatientError(PatientErrorCode.Validation, 'give identifier, or localId (and facility)', [{ pointer: 'identifier', rule: 'search.parameters', message: 'identifier or localId is required' }]);
  }

  @Get(':id')
  @RequireScopes(Scopes.patientRead)
  @ApiOperation({ summary: 'Read a patient; a merged id answers with its survivor (redirectedFrom).' })
  async read(@Caller() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<PatientView> {
    return (await this.getPatient.execute(actor, id)).view;
  }

  @Get(':id/audit')
  @RequireScopes(Scopes.auditRead)
  @ApiOperation({ summary: 'Audit trail of one patient, newest first.' })
  audit(@Caller() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Query(new ZodValidationPipe(pageQuerySchema(100))) page: PageQuery) {
    return this.readAudit.execute(actor, id, page);
  }
}
