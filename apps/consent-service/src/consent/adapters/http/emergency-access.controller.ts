import { type Actor, CurrentActor, RequireFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, Get, Header, Post, Query, UseFilters } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DeclareEmergencyAccessUseCase, type EmergencyAccessGranted } from '../../use-cases/declare-emergency-access/declare-emergency-access.use-case';
import { type EmergencyAccessReport, ReportEmergencyAccessesUseCase } from '../../use-cases/report-emergency-accesses/report-emergency-accesses.use-case';
import { ConsentProblemFilter } from './consent-problem.filter';
import { DeclareEmergencyAccessDto, EmergencyAccessReportQueryDto } from './emergency-access.dto';

/** Declaring break-the-glass: a facility's clinician in an emergency. */
export const EMERGENCY_ACCESS_SCOPE = 'lienthong/emergency-access';
/** Reading who broke the glass: the platform's audit-reading permission (facilities for themselves, analysts, stewards). */
export const EMERGENCY_ACCESS_REPORT_SCOPE = 'lienthong/audit.read';

@ApiTags('emergency access')
@Controller('v1/emergency-access')
@UseFilters(ConsentProblemFilter)
export class EmergencyAccessController {
  constructor(
    private readonly declare: DeclareEmergencyAccessUseCase,
    private readonly report: ReportEmergencyAccessesUseCase,
  ) {}

  @Post()
  @RequireScopes(EMERGENCY_ACCESS_SCOPE)
  @RequireFacility()
  @ApiOperation({ summary: 'Break the glass: the calling facility may read this patient for emergency care for a short time (audited, announced).' })
  @ApiCreatedResponse({ description: '{ id, facilityCode, grantedAt, expiresAt }' })
  @ApiUnprocessableEntityResponse({ description: 'Bad body, unknown patient (#/enterprisePatientId) or a period over the maximum (#/durationMinutes).' })
  declareAccess(@CurrentActor() actor: Actor, @Body() body: DeclareEmergencyAccessDto): Promise<EmergencyAccessGranted> {
    return this.declare.execute({ actor, ...body });
  }

  @Get('report')
  @RequireScopes(EMERGENCY_ACCESS_REPORT_SCOPE)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Emergency accesses per facility over [from, to): a facility its own; analysts and stewards every facility, or their province’s.' })
  @ApiOkResponse({ description: '{ from, to, facilities: [{ facilityCode, count, distinctPatients, accesses }], truncated }' })
  readReport(@CurrentActor() actor: Actor, @Query() query: EmergencyAccessReportQueryDto): Promise<EmergencyAccessReport> {
    return this.report.execute({ actor, from: new Date(query.from), to: new Date(query.to), facilityCode: query.facilityCode });
  }
}
