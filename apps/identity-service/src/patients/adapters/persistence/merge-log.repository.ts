import { Injectable } from '@nestjs/common';
import { type Tx } from '@lienthong/persistence';
import { type MovedLink } from '../../domain/patient';
import { MergeLog, type MergeRecord } from '../../ports/merge-log.port';

@Injectable()
export class MergeLogRepository extends MergeLog {
  record(tx: Tx, m: Omit<MergeRecord, 'undoneAt'>): void {
    tx.write(
      (p) =>
        `INSERT INTO merges (id, survivor_id, merged_id, moved_links, moved_identifier_ids, merged_by, created_at)
         VALUES (${p(m.id)}::uuid, ${p(m.survivorId)}::uuid, ${p(m.mergedId)}::uuid, ${p(JSON.stringify(m.movedLinks))}::jsonb, ${p(m.movedIdentifierIds)}::uuid[], ${p(m.mergedBy)}, ${p(m.createdAt)}::timestamptz)`,
    );
  }

  async lockForUndo(tx: Tx, id: string): Promise<MergeRecord | undefined> {
    const [row] = await tx.query<{
      id: string; survivor_id: string; merged_id: string; moved_links: MovedLink[]; moved_identifier_ids: string[];
      merged_by: string; created_at: Date; undone_at: Date | null;
    }>(`SELECT id, survivor_id, merged_id, moved_links, moved_identifier_ids, merged_by, created_at, undone_at FROM merges WHERE id = $1 FOR UPDATE`, [id]);
    return row
      ? {
          id: row.id,
          survivorId: row.survivor_id,
          mergedId: row.merged_id,
          movedLinks: row.moved_links,
          movedIdentifierIds: row.moved_identifier_ids,
          mergedBy: row.merged_by,
          createdAt: row.created_at,
          undoneAt: row.undone_at,
        }
      : undefined;
  }

  markUndone(tx: Tx, id: string, at: Date, by: string): void {
    tx.write((p) => `UPDATE merges SET undone_at = ${p(at)}::timestamptz, undone_by = ${p(by)} WHERE id = ${p(id)}::uuid`);
  }
}
