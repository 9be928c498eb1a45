import { Body, Controller, Get, Param, Put, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, DomainError, ErrorCode, RequireScopes, ZodValidationPipe, type Actor } from '@lienthong/platform';
import { IdentityProblemFilter } from '../../../http/identity-error.mapping';
import { Scopes } from '../../../scopes';
import { type Facility } from '../../domain/facility';
import { GetFacilityUseCase } from '../../use-cases/get-facility/get-facility.use-case';
import { ListFacilitiesUseCase } from '../../use-cases/list-facilities/list-facilities.use-case';
import { UpsertFacilityUseCase } from '../../use-cases/upsert-facility/upsert-facility.use-case';
import { facilityCodeParam, FacilityInputDto, ListFacilitiesQueryDto } from './facility.dto';

/** The registry is reference data: any authenticated caller may read it; only registry admins change it. */
@ApiTags('facilities')
@ApiBearerAuth()
@Controller('v1/facilities')
@UseFilters(IdentityProblemFilter)
export class FacilitiesController {
  constructor(
    private readonly listFacilities: ListFacilitiesUseCase,
    private readonly getFacility: GetFacilityUseCase,
    private readonly upsertFacility: UpsertFacilityUseCase,
  ) {}

  @Get()
  @RequireScopes(Scopes.organizationSearch)
  @ApiOperation({ summary: 'List facilities (cursor pagination by code)' })
  async list(@Query() query: ListFacilitiesQueryDto) {
    const page = await this.listFacilities.execute(query);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  @Get(':code')
  @RequireScopes(Scopes.organizationRead)
  @ApiOperation({ summary: 'One facility' })
  async get(@Param('code', new ZodValidationPipe(facilityCodeParam)) code: string) {
    return toView(await this.getFacility.execute(code));
  }

  @Put(':code')
  @RequireScopes(Scopes.organizationWrite)
  @ApiOperation({ summary: 'Create or change a facility (a new version; published on identity.facility.v1)' })
  async put(@Param('code', new ZodValidationPipe(facilityCodeParam)) code: string, @Body() body: FacilityInputDto, @CurrentActor() actor: Actor) {
    if (body.code !== code) throw new DomainError(ErrorCode.BadRequest, { detail: 'The code in the body must match the code in the path.' });
    const result = await this.upsertFacility.execute(body, actor.subject);
    return { outcome: result.outcome, facility: toView(result.facility) };
  }
}

function toView(f: Facility) {
  return { ...f, updatedAt: f.updatedAt.toISOString() };
}
