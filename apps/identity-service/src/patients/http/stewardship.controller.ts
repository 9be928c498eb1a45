import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { RequireScopes, ZodValidationPipe } from '@lienthong/platform';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Scopes, type Actor } from '../domain/actor';
import { PatientError, PatientErrorCode } from '../domain/patient-error';
import { MergePatientsUseCase } from '../use-cases/merge-patients/merge-patients.use-case';
import { DecideReviewItemUseCase } from '../use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from '../use-cases/review-queue/list-review-items.use-case';
import { UnmergePatientsUseCase } from '../use-cases/unmerge-patients/unmerge-patients.use-case';
import { Caller } from './caller.decorator';
import { pageQuerySchema, type PageQuery } from './page-query';
import { PatientProblemFilter } from './patient-error.mapping';

const mergeBody = z.object({ mergedId: z.uuid() });

/** Data-steward operations on the index: the review queue, merge and unmerge. */
@ApiTags('stewardship')
@Controller('v1')
@UseFilters(PatientProblemFilter)
@RequireScopes(Scopes.steward)
export class StewardshipController {
  constructor(
    private readonly listReview: ListReviewItemsUseCase,
    private readonly decideReview: DecideReviewItemUseCase,
    private readonly merge: MergePatientsUseCase,
    private readonly unmerge: UnmergePatientsUseCase,
  ) {}

  @Get('review-items')
  @ApiOperation({ summary: 'Open review items (probable duplicates), oldest first.' })
  list(@Caller() actor: Actor, @Query(new ZodValidationPipe(pageQuerySchema(50))) page: PageQuery) {
    return this.listReview.execute(actor, page);
  }

  @Post('review-items/:id/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same person: merge the new record into the candidate.' })
  confirm(@Caller() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.decideReview.execute(actor, id, 'confirm');
  }

  @Post('review-items/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Different people: close the item, keep both.' })
  reject(@Caller() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.decideReview.execute(actor, id, 'reject');
  }

  @Post('patients/:survivorId/merge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge { mergedId } into the survivor; links and identifiers move.' })
  mergeInto(@Caller() actor: Actor, @Param('survivorId', new ParseUUIDPipe()) survivorId: string, @Body() body: unknown) {
    const parsed = mergeBody.safeParse(body);
    if (!parsed.success) {
      throw new PatientError(PatientErrorCode.Validation, 'mergedId (uuid) is required', [{ pointer: '/mergedId', rule: 'schema.uuid', message: 'mergedId must be a UUID' }]);
    }
    return this.merge.execute({ actor, survivorId, mergedId: parsed.data.mergedId });
  }

  @Post('merges/:mergeId/unmerge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo a merge: both patients and their links come back.' })
  undo(@Caller() actor: Actor, @Param('mergeId', new ParseUUIDPipe()) mergeId: string) {
    return this.unmerge.execute(actor, mergeId);
  }
}
