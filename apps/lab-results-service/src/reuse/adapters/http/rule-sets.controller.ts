import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LabResultProblemFilter } from '../../../lab-result/adapters/http/lab-result-problem.filter';
import { ReadRuleSetsUseCase } from '../../use-cases/read-rule-sets/read-rule-sets.use-case';
import { ruleSetSummaryView, ruleSetView } from './reuse-check.presenter';
import { RuleSetVersionParamDto } from './reuse-checks.dto';

/**
 * The reuse rules in force and to come, for any authenticated caller (no patient data, no scope): the
 * versions with their effective dates (Vietnam time), and each version's catalogue — codes, LOINC,
 * consent category, validity window and what it counts from, positive-only, indicative price.
 */
@ApiTags('reuse')
@Controller('v1/rule-sets')
@UseFilters(LabResultProblemFilter)
export class RuleSetsController {
  constructor(private readonly ruleSets: ReadRuleSetsUseCase) {}

  @Get()
  @ApiOperation({ summary: 'The reuse rule-set versions, oldest first, with when each takes effect and which is in effect now.' })
  @ApiOkResponse({ description: '`{ items }`.' })
  list() {
    return { items: this.ruleSets.list().map(ruleSetSummaryView) };
  }

  @Get(':version')
  @ApiOperation({ summary: 'One rule-set version: its catalogue of tests and their reuse rules.' })
  @ApiOkResponse({ description: 'The rule set.' })
  @ApiNotFoundResponse({ description: 'No such version (problem+json).' })
  get(@Param() params: RuleSetVersionParamDto) {
    return ruleSetView(this.ruleSets.get(params.version));
  }
}
