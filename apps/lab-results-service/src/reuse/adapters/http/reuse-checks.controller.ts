import { type Actor, CurrentActor, RequireFacility, RequireScopes } from '@lienthong/platform';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Res, UseFilters } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LabResultProblemFilter } from '../../../lab-result/adapters/http/lab-result-problem.filter';
import { GetReuseCheckUseCase } from '../../use-cases/get-reuse-check/get-reuse-check.use-case';
import { RecordReuseDecisionUseCase } from '../../use-cases/record-reuse-decision/record-reuse-decision.use-case';
import { RunReuseCheckUseCase } from '../../use-cases/run-reuse-check/run-reuse-check.use-case';
import { decisionView, reuseCheckAnswerView, reuseCheckLocation, storedCheckView } from './reuse-check.presenter';
import { CheckIdParamDto, patientReference, RecordReuseDecisionDto, RunReuseCheckDto } from './reuse-checks.dto';

/**
 * The scope of the reuse routes: a reuse check reads the patient's observations (SMART
 * `system/Observation.rs`), and recording the doctor's decision on it belongs to the same workflow.
 */
export const REUSE_SCOPE = 'system/Observation.rs';

/**
 * The reuse check over REST, for the requesting facility (its own token, or a service acting for it):
 * run a check, record the doctor's decision per test, read a check back. Every answer names a
 * patient's results: no-store. Thin: each route calls one use case and presents the result.
 */
@ApiTags('reuse')
@Controller('v1/reuse-checks')
@UseFilters(LabResultProblemFilter)
@RequireScopes(REUSE_SCOPE)
@RequireFacility()
export class ReuseChecksController {
  constructor(
    private readonly runCheck: RunReuseCheckUseCase,
    private readonly recordDecision: RecordReuseDecisionUseCase,
    private readonly getCheck: GetReuseCheckUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary:
      'Reuse this result, or re-test? Per test: REUSE_CANDIDATE with the result (where, when performed, which lab, valid until when), or REPEAT_REQUIRED with the reason. Consent is asked once for the check; the check is recorded with its rule-set version.',
  })
  @ApiCreatedResponse({ description: 'The check with each test’s outcome; Location names it.' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid body, an unknown patient (#/patient), no rule set in effect at `at` (problem+json naming each field); nothing is recorded.' })
  @ApiServiceUnavailableResponse({ description: 'identity-service could not look the patient up in time.' })
  async run(@CurrentActor() actor: Actor, @Body() body: RunReuseCheckDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = await this.runCheck.execute({
      actor,
      patient: patientReference(body.patient),
      purpose: body.purpose,
      testCodes: body.testCodes,
      at: body.at === undefined ? undefined : new Date(body.at),
    });
    void reply.header('location', reuseCheckLocation(answer.check.checkId));
    return reuseCheckAnswerView(answer);
  }

  @Get(':checkId')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'A check as recorded — outcomes, candidates’ identities and validity (no values), rule-set version — and the decisions taken on it. Only the facility that ran it.' })
  @ApiOkResponse({ description: 'The check.' })
  @ApiNotFoundResponse({ description: 'No such check — or another facility’s: its existence is not confirmed, and the attempt is audited as denied (problem+json).' })
  async read(@CurrentActor() actor: Actor, @Param() params: CheckIdParamDto) {
    return storedCheckView(await this.getCheck.execute(actor, params.checkId));
  }

  @Post(':checkId/decisions')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'The treating doctor’s choice for one test of the check: reused (a REUSE_CANDIDATE only; its price is avoided) or re-tested, and why. Once per test.' })
  @ApiCreatedResponse({ description: 'The decision as recorded.' })
  @ApiUnprocessableEntityResponse({ description: 'A reuse without a candidate (#/decision), a re-test of a candidate without a reason (#/retestReason), a test not in the check (#/testCode).' })
  @ApiNotFoundResponse({ description: 'No such check, or another facility’s (audited as denied).' })
  @ApiConflictResponse({ description: 'The test’s decision was already recorded.' })
  async decide(@CurrentActor() actor: Actor, @Param() params: CheckIdParamDto, @Body() body: RecordReuseDecisionDto) {
    return decisionView(await this.recordDecision.execute({ actor, checkId: params.checkId, testCode: body.testCode, decision: body.decision, retestReason: body.retestReason }));
  }
}
