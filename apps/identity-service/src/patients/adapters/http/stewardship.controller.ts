import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScopes, type Actor } from '@lienthong/platform';
import { IdentityProblemFilter } from '../../../http/identity-error.mapping';
import { NoStore } from '../../../http/no-store';
import { UuidPageQueryDto } from '../../../http/page.dto';
import { Scopes } from '../../../scopes';
import { MergePatientsUseCase } from '../../use-cases/merge-patients/merge-patients.use-case';
import { DecideReviewItemUseCase } from '../../use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from '../../use-cases/review-queue/list-review-items.use-case';
import { UnmergePatientsUseCase } from '../../use-cases/unmerge-patients/unmerge-patients.use-case';
import { MergePatientsDto } from './patient.dto';

/** Data-steward operations on the index: the review queue, merge and unmerge (their answers name patients: no-store). */
@ApiTags('stewardship')
@Controller('v1')
@UseFilters(IdentityProblemFilter)
@RequireScopes(Scopes.steward)
@NoStore()
export class StewardshipController {
  constructor(
    private readonly listReview: ListReviewItemsUseCase,
    private readonly decideReview: DecideReviewItemUseCase,
    private readonly merge: MergePatientsUseCase,
    private readonly unmerge: UnmergePatientsUseCase,
  ) {}

  @Get('review-items')
  @ApiOperation({ summary: 'Open review items (probable duplicates), oldest first.' })
  list(@CurrentActor() actor: Actor, @Query() page: UuidPageQueryDto) {
    return this.listReview.execute(actor, page);
  }

  @Post('review-items/:id/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Same person: merge the new record into the candidate.' })
  confirm(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.decideReview.execute(actor, id, 'confirm');
  }

  @Post('review-items/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Different people: close the item, keep both.' })
  reject(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.decideReview.execute(actor, id, 'reject');
  }

  @Post('patients/:survivorId/merge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge { mergedId } into the survivor; links and identifiers move.' })
  mergeInto(@CurrentActor() actor: Actor, @Param('survivorId', new ParseUUIDPipe()) survivorId: string, @Body() body: MergePatientsDto) {
    return this.merge.execute({ actor, survivorId, mergedId: body.mergedId });
  }

  @Post('merges/:mergeId/unmerge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undo a merge: both patients and their links come back.' })
  undo(@CurrentActor() actor: Actor, @Param('mergeId', new ParseUUIDPipe()) mergeId: string) {
    return this.unmerge.execute(actor, mergeId);
  }
}
