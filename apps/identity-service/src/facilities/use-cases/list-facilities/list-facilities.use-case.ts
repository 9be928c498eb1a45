import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Facility } from '../../domain/facility';
import { FacilityRegistry, type FacilityFilter } from '../../ports/facility-registry.port';

/** Facilities by province and level, ordered by code, cursor-paginated. Reference data: not audited. */
@Injectable()
export class ListFacilitiesUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: FacilityRegistry,
  ) {}

  async execute(filter: FacilityFilter): Promise<{ items: Facility[]; nextCursor: string | null }> {
    const rows = await this.uow.read((db) => this.registry.list(db, { ...filter, limit: filter.limit + 1 }));
    const items = rows.slice(0, filter.limit);
    return { items, nextCursor: rows.length > filter.limit ? (items[items.length - 1]?.code ?? null) : null };
  }
}
