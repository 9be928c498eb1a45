import { CurrentActor, DomainError, ErrorCode, RequireFacility, RequireScopes, type Actor } from '@lienthong/platform';
import { Controller, Get, Header, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { type SubmissionView } from '../../ports/submission-store.port';
import { GetSubmissionUseCase } from '../../use-cases/get-submission/get-submission.use-case';
import { type IngestAnswer, IngestXml130UseCase } from '../../use-cases/ingest-xml130/ingest-xml130.use-case';
import { LabResultProblemFilter } from './lab-result-problem.filter';
import { UploadLimit, XML130_CONTENT_TYPES } from './xml130-body';
import { SubmissionParamsDto } from './xml130.dto';

/** Scopes of the ingest routes: a facility's system writes results (XML 130) and reads its own submissions' outcomes. */
export const INGEST_SCOPES = { write: 'system/Observation.c', read: 'system/Observation.rs' } as const;

@ApiTags('xml130')
@Controller('v1')
@UseFilters(LabResultProblemFilter)
export class Xml130Controller {
  constructor(
    private readonly ingest: IngestXml130UseCase,
    private readonly submissions: GetSubmissionUseCase,
    private readonly uploads: UploadLimit,
  ) {}

  @Post('xml130')
  @HttpCode(200)
  @RequireScopes(INGEST_SCOPES.write)
  @RequireFacility()
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Submit an XML 130 file (GIAMDINHHS wrapper or plain tables): each visit is stored, unchanged, waiting for its patient, or rejected with its errors.',
  })
  @ApiConsumes(...XML130_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ description: '{ submissionId, visits: [{ index, maLk, outcome, results: { new, amended, cancelled, unchanged }, errors }] }' })
  upload(@CurrentActor() actor: Actor, @Req() request: FastifyRequest): Promise<IngestAnswer> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new DomainError(ErrorCode.UnsupportedMediaType, { detail: `Send the file as ${XML130_CONTENT_TYPES.join(', ')}.` });
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.uploads.maxBytes) throw this.uploads.tooLarge();
    return this.ingest.execute({ actor, file: this.uploads.limit(body) });
  }

  @Get('submissions/:submissionId')
  @RequireScopes(INGEST_SCOPES.read)
  @RequireFacility()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'The current outcome of each visit of a file this facility submitted (waiting visits show stored or rejected once resolved).' })
  async submission(@CurrentActor() actor: Actor, @Param() params: SubmissionParamsDto): Promise<ReturnType<typeof presentSubmission>> {
    return presentSubmission(await this.submissions.execute(actor, params.submissionId));
  }
}

export function presentSubmission(s: SubmissionView) {
  return { submissionId: s.submissionId, receivedAt: s.receivedAt.toISOString(), visits: s.visits };
}
