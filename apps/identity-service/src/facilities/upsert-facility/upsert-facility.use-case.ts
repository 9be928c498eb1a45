import { FacilityChangedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { FacilityEntity, FacilityHistoryEntity } from '../facility.entity';
import { type FacilityInput } from '../facility.schema';

export interface UpsertFacilityResult {
  readonly facility: FacilityEntity;
  /** created / changed publish `identity.facility.changed`; unchanged publishes nothing. */
  readonly outcome: 'created' | 'changed' | 'unchanged';
}

/** The attributes that make a new version; `updatedAt` and `version` follow from them. */
const VERSIONED_FIELDS = [
  'name',
  'provinceCode',
  'level',
  'historicalTier',
  'labQualityLevel',
  'iso15189Scope',
  'sensitive',
  'synthetic',
  'validFrom',
  'validTo',
] as const satisfies readonly (keyof FacilityInput)[];

/**
 * Creates or changes one facility of the registry. A change writes a new version to the history and
 * publishes the whole facility on `identity.facility.v1` (compacted: the latest version per code is
 * what other services rebuild their local copy from). Re-submitting the same facility is a no-op, so
 * the seed can run at every start.
 */
@Injectable()
export class UpsertFacilityUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(input: FacilityInput, changedBy: string): Promise<UpsertFacilityResult> {
    return this.dataSource.transaction((manager) => this.upsert(manager, input, changedBy));
  }

  private async upsert(manager: EntityManager, input: FacilityInput, changedBy: string): Promise<UpsertFacilityResult> {
    const repo = manager.getRepository(FacilityEntity);
    // Row lock: two concurrent edits of one facility must produce two versions, not one lost update.
    const current = await repo.findOne({ where: { code: input.code }, lock: { mode: 'pessimistic_write' } });
    if (current && VERSIONED_FIELDS.every((f) => sameValue(current[f], input[f]))) {
      return { facility: current, outcome: 'unchanged' };
    }
    const facility = repo.create({ ...input, version: (current?.version ?? 0) + 1, updatedAt: new Date() });
    await repo.save(facility);
    const history = manager.getRepository(FacilityHistoryEntity).create({
      code: facility.code,
      version: facility.version,
      snapshot: { ...input },
      changedBy,
      changedAt: facility.updatedAt,
    });
    await manager.getRepository(FacilityHistoryEntity).save(history);
    await this.outbox.append(
      manager,
      outboxEvent(FacilityChangedV1, {
        code: facility.code,
        name: facility.name,
        provinceCode: facility.provinceCode,
        level: facility.level,
        historicalTier: facility.historicalTier,
        labQualityLevel: facility.labQualityLevel,
        iso15189Scope: facility.iso15189Scope,
        sensitive: facility.sensitive,
        validFrom: facility.validFrom,
        validTo: facility.validTo,
        version: facility.version,
      }),
    );
    return { facility, outcome: current ? 'changed' : 'created' };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
