import { type Actor, CurrentActor, InjectConfig, RequireFacility, requireActingFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { setTimeout as delay } from 'node:timers/promises';
import type { SampleConfig } from '../../config/sample.config';
import { EchoRequestDto, type EchoResponse } from './echo.dto';

@ApiTags('sample')
@Controller('v1/echo')
export class EchoController {
  private readonly logger = new Logger(EchoController.name);

  constructor(@InjectConfig() private readonly config: SampleConfig) {}

  /** Validation demo: a bad body gets 422 problem+json with JSON pointers to each bad field. */
  @Post()
  @HttpCode(200)
  @RequireScopes('system/Sample.c')
  @RequireFacility()
  @ApiOkResponse({ description: 'The message, repeated.' })
  @ApiUnprocessableEntityResponse({ description: 'Validation problem (application/problem+json).' })
  async echo(@Body() body: EchoRequestDto, @CurrentActor() actor: Actor): Promise<EchoResponse> {
    // Careless on purpose: the identifier goes into a log message and a structured field. The platform's
    // redaction must keep it out of the output (asserted by the e2e test); real code logs ids, not PHI.
    this.logger.log({ patient: body.patient }, `echo for patient ${body.patient?.cccd ?? 'none'}`);
    if (this.config.sample.echoDelayMs > 0) await delay(this.config.sample.echoDelayMs);
    return { echo: body.message.repeat(body.repeat), facilityCode: requireActingFacility(actor), hasPatient: body.patient !== undefined };
  }
}
