import { InjectConfig } from '@lienthong/platform';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type IdentityConfig } from '../../../config/identity.config';
import { loadSeedFacilities } from './seed-facilities';
import { UpsertFacilityUseCase } from '../../use-cases/upsert-facility/upsert-facility.use-case';

/**
 * Loads the synthetic seed registry at start when IDENTITY_SEED_FACILITIES=true (local runs, demos,
 * tests). Goes through the same use case as an administrator's change, so the registry's events are
 * published; unchanged facilities publish nothing, so every start can run it.
 */
@Injectable()
export class FacilitySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(FacilitySeeder.name);

  constructor(
    private readonly upsert: UpsertFacilityUseCase,
    @InjectConfig() private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.identity.seedFacilities) await this.seed();
  }

  async seed(): Promise<Record<'created' | 'changed' | 'unchanged', number>> {
    const counts = { created: 0, changed: 0, unchanged: 0 };
    for (const facility of loadSeedFacilities()) {
      const { outcome } = await this.upsert.execute(facility, 'seed');
      counts[outcome] += 1;
    }
    this.logger.log(`facility seed: ${JSON.stringify(counts)}`);
    return counts;
  }
}
