import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type FieldComparison } from '../../../persistence/entities/review-item.entity';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';

export interface ReviewItemView {
  readonly id: string;
  readonly incomingPatientId: string;
  readonly candidatePatientId: string;
  readonly facilityCode: string;
  readonly localId: string;
  readonly score: number;
  readonly comparisons: readonly FieldComparison[];
  readonly warnings: readonly string[];
  readonly status: string;
  readonly createdAt: string;
}

export interface ReviewItemPage {
  readonly items: readonly ReviewItemView[];
  /** Pass as `cursor` for the next page; null at the end. */
  readonly nextCursor: string | null;
}

/** Open review items, oldest first, cursor-paginated by id (UUIDv7 ids sort by creation). */
@Injectable()
export class ListReviewItemsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
  ) {}

  async execute(actor: Actor, options: { cursor?: string | undefined; limit: number }): Promise<ReviewItemPage> {
    const limit = Math.min(Math.max(options.limit, 1), 200);
    return this.dataSource.transaction(async (manager) => {
      const rows: {
        id: string; incoming_patient_id: string; candidate_patient_id: string; facility_code: string; local_id: string;
        score: number; comparisons: FieldComparison[]; warnings: string[]; status: string; created_at: Date;
      }[] = await manager.query(
        `SELECT id, incoming_patient_id, candidate_patient_id, facility_code, local_id, score, comparisons, warnings, status, created_at
           FROM review_items WHERE status = 'open' AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
        [options.cursor ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      await this.audit.write(manager, actor, [
        { action: 'review.list', patientId: null, outcome: 'success', detail: { count: page.length } },
      ]);
      return {
        items: page.map((r) => ({
          id: r.id,
          incomingPatientId: r.incoming_patient_id,
          candidatePatientId: r.candidate_patient_id,
          facilityCode: r.facility_code,
          localId: r.local_id,
          score: r.score,
          comparisons: r.comparisons,
          warnings: r.warnings,
          status: r.status,
          createdAt: r.created_at.toISOString(),
        })),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    });
  }
}
