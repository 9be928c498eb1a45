import { type Actor, CurrentActor, RequireScopes } from '@lienthong/platform';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

@ApiTags('sample')
@Controller('v1/whoami')
export class WhoamiController {
  /** The caller as the platform sees it: facility and scopes from the token, purpose from the header. */
  @Get()
  @RequireScopes('system/Sample.r')
  @ApiOkResponse({ description: 'The authenticated actor.' })
  whoami(@CurrentActor() actor: Actor): Actor {
    return actor;
  }
}
