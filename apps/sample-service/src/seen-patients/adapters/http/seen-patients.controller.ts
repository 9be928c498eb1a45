import { type Actor, CurrentActor, RequireFacility, requireActingFacility, RequireScopes } from '@lienthong/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListSeenPatientsUseCase } from '../../use-cases/list-seen-patients/list-seen-patients.use-case';
import { ListSeenPatientsQueryDto, SeenPatientsResponseDto } from './seen-patients.dto';

@ApiTags('seen-patients')
@Controller('v1/seen-patients')
export class SeenPatientsController {
  constructor(private readonly listSeenPatients: ListSeenPatientsUseCase) {}

  /** The patients identity-service has announced at the caller's facility (from its token, never a parameter). */
  @Get()
  @RequireScopes('system/Sample.r')
  @RequireFacility()
  @ApiOkResponse({ type: SeenPatientsResponseDto })
  async list(@Query() query: ListSeenPatientsQueryDto, @CurrentActor() actor: Actor): Promise<SeenPatientsResponseDto> {
    const facilityCode = requireActingFacility(actor);
    const patients = await this.listSeenPatients.execute({ facilityCode, limit: query.limit });
    return {
      facilityCode,
      patients: patients.map((p) => ({
        enterprisePatientId: p.enterprisePatientId,
        localId: p.localId,
        sightings: p.sightings,
        firstSeenAt: p.firstSeenAt.toISOString(),
        lastSeenAt: p.lastSeenAt.toISOString(),
      })),
    };
  }
}
