import type { Decision, DecisionBatchResult } from '@lienthong/contracts';
import { type Actor, CurrentActor, RequireScopes } from '@lienthong/platform';
import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DecideUseCase } from '../../use-cases/decide/decide.use-case';
import { ConsentProblemFilter } from './consent-problem.filter';
import { DecisionBatchDto, DecisionBatchResultDto, DecisionDto, DecisionQueryDto } from './decisions.dto';

/** The platform scope a caller of the decision point holds (lab-results, records, exchange). */
export const DECIDE_SCOPE = 'lienthong/consent.decide';

/**
 * The decision point over HTTP. Deliberately no interceptors on these routes: an interceptor puts a
 * route on Nest's RxJS pipeline (about 0.3 ms a request, docs/benchmarks.md) and the cached decision's
 * p99 target is 2 ms. A facility asks only about its own reads (403 otherwise); a service about any;
 * a person's token nothing (403).
 */
@ApiTags('decisions')
@Controller('v1/decisions')
@UseFilters(ConsentProblemFilter)
@RequireScopes(DECIDE_SCOPE)
export class DecisionsController {
  constructor(private readonly decide: DecideUseCase) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'May this facility read this category of this patient’s data for this purpose (now, or at `at`)? Permit or deny, with the consent versions it rests on and obligations.' })
  @ApiOkResponse({ type: DecisionDto })
  @ApiUnprocessableEntityResponse({ description: 'Invalid query (problem+json naming the field).' })
  async single(@CurrentActor() actor: Actor, @Body() query: DecisionQueryDto): Promise<Decision> {
    const [decision] = await this.decide.execute(actor, [query]);
    if (decision === undefined) throw new Error('the decision point answered nothing');
    return decision;
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Many (patient, facility, category, purpose) queries in one call (at most 1000), answered in order.' })
  @ApiOkResponse({ type: DecisionBatchResultDto })
  @ApiUnprocessableEntityResponse({ description: 'Invalid batch (problem+json naming the field, e.g. #/queries/3/category).' })
  async batch(@CurrentActor() actor: Actor, @Body() body: DecisionBatchDto): Promise<DecisionBatchResult> {
    return { decisions: await this.decide.execute(actor, body.queries) };
  }
}
