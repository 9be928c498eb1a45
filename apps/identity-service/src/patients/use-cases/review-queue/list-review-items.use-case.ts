import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { AuditTrail } from '../../ports/audit-trail.port';
import { ReviewQueue, type ReviewItem } from '../../ports/review-queue.port';

/** A review item as the API shows it (times as ISO 8601). */
export type ReviewItemView = Omit<ReviewItem, 'createdAt'> & { readonly createdAt: string };

export interface ReviewItemPage {
  readonly items: readonly ReviewItemView[];
  /** Pass as `cursor` for the next page; null at the end. */
  readonly nextCursor: string | null;
}

/** Open review items, oldest first, cursor-paginated by id (UUIDv7 ids sort by creation). Audited. */
@Injectable()
export class ListReviewItemsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly reviews: ReviewQueue,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, page: { cursor?: string | undefined; limit: number }): Promise<ReviewItemPage> {
    return this.uow.read(async (tx) => {
      const rows = await this.reviews.listOpen(tx, page.cursor, page.limit + 1);
      const items = rows.slice(0, page.limit);
      this.audit.append(tx, actor, [{ action: 'review.list', patientId: null, outcome: 'success', detail: { count: items.length } }]);
      return {
        items: items.map(({ createdAt, ...item }) => ({ ...item, createdAt: createdAt.toISOString() })),
        nextCursor: rows.length > page.limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    });
  }
}
