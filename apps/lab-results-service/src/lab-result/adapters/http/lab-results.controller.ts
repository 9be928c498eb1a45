import { type Actor, CurrentActor, RequireFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateLabResultUseCase } from '../../use-cases/create-lab-result/create-lab-result.use-case';
import { CreateLabResultDto, type LabResultResponse, LabResultResponseDto, toLabResultResponse } from './create-lab-result.dto';
import { LabResultProblemFilter } from './lab-result-problem.filter';

@ApiTags('lab-results')
@Controller('v1/lab-results')
@UseFilters(LabResultProblemFilter)
export class LabResultsController {
  constructor(private readonly createLabResult: CreateLabResultUseCase) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('system/LabResult.c')
  @RequireFacility()
  @ApiCreatedResponse({ description: 'The recorded lab-result.', type: LabResultResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Validation problem (application/problem+json).' })
  async create(@Body() body: CreateLabResultDto, @CurrentActor() actor: Actor): Promise<LabResultResponse> {
    return toLabResultResponse(await this.createLabResult.execute({ actor, note: body.note }));
  }
}
