import { type Actor, CurrentActor, DomainError, ErrorCode, RequireScopes, ZodValidationPipe } from '@lienthong/platform';
import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import { z } from 'zod';
import { FacilityEntity } from './facility.entity';
import { facilityInputSchema } from './facility.schema';
import { UpsertFacilityUseCase } from './upsert-facility/upsert-facility.use-case';

const codeParam = z.string().regex(/^[0-9A-Z]{5}$/, 'facility code is 5 characters');

const listQuery = z.object({
  provinceCode: z.string().regex(/^[0-9]{2}$/).optional(),
  level: z.enum(['initial', 'basic', 'specialised']).optional(),
  /** Cursor: the last code of the previous page. */
  after: codeParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The registry is reference data: any authenticated facility may read it; only registry admins change it. */
@ApiTags('facilities')
@ApiBearerAuth()
@Controller('v1/facilities')
export class FacilitiesController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly upsertFacility: UpsertFacilityUseCase,
  ) {}

  @Get()
  @RequireScopes('system/Organization.s')
  @ApiOperation({ summary: 'List facilities (cursor pagination by code)' })
  async list(@Query(new ZodValidationPipe(listQuery)) query: z.output<typeof listQuery>) {
    const rows = await this.dataSource.getRepository(FacilityEntity).find({
      where: {
        ...(query.provinceCode ? { provinceCode: query.provinceCode } : {}),
        ...(query.level ? { level: query.level } : {}),
        ...(query.after ? { code: MoreThan(query.after) } : {}),
      },
      order: { code: 'ASC' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(toView), nextCursor: rows.length > query.limit && last ? last.code : null };
  }

  @Get(':code')
  @RequireScopes('system/Organization.r')
  @ApiOperation({ summary: 'One facility' })
  async get(@Param('code', new ZodValidationPipe(codeParam)) code: string) {
    const row = await this.dataSource.getRepository(FacilityEntity).findOne({ where: { code } });
    if (!row) throw new DomainError(ErrorCode.NotFound, { detail: `No facility ${code}.` });
    return toView(row);
  }

  @Put(':code')
  @RequireScopes('system/Organization.cu')
  @ApiOperation({ summary: 'Create or change a facility (a new version; published on identity.facility.v1)' })
  async put(
    @Param('code', new ZodValidationPipe(codeParam)) code: string,
    @Body(new ZodValidationPipe(facilityInputSchema)) body: z.output<typeof facilityInputSchema>,
    @CurrentActor() actor: Actor,
  ) {
    if (body.code !== code) {
      throw new DomainError(ErrorCode.BadRequest, { detail: 'The code in the body must match the code in the path.' });
    }
    const result = await this.upsertFacility.execute(body, `${actor.subject}@${actor.facilityCode}`);
    return { outcome: result.outcome, facility: toView(result.facility) };
  }
}

function toView(f: FacilityEntity) {
  return {
    code: f.code,
    name: f.name,
    provinceCode: f.provinceCode,
    level: f.level,
    historicalTier: f.historicalTier,
    labQualityLevel: f.labQualityLevel,
    iso15189Scope: f.iso15189Scope,
    sensitive: f.sensitive,
    synthetic: f.synthetic,
    validFrom: f.validFrom,
    validTo: f.validTo,
    version: f.version,
    updatedAt: f.updatedAt.toISOString(),
  };
}
