import { type Actor, CurrentActor, RequireFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CreateConsentUseCase } from '../../use-cases/create-consent/create-consent.use-case';
import { CreateConsentDto, type ConsentResponse, ConsentResponseDto, toConsentResponse } from './create-consent.dto';
import { ConsentProblemFilter } from './consent-problem.filter';

@ApiTags('consents')
@Controller('v1/consents')
@UseFilters(ConsentProblemFilter)
export class ConsentsController {
  constructor(private readonly createConsent: CreateConsentUseCase) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('system/Consent.c')
  @RequireFacility()
  @ApiCreatedResponse({ description: 'The recorded consent.', type: ConsentResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Validation problem (application/problem+json).' })
  async create(@Body() body: CreateConsentDto, @CurrentActor() actor: Actor): Promise<ConsentResponse> {
    return toConsentResponse(await this.createConsent.execute({ actor, note: body.note }));
  }
}
