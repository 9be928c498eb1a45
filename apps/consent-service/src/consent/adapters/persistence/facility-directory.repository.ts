import { type Db, type Tx } from '@lienthong/persistence';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { type ConsentConfig } from '../../../config/consent.config';
import { type FacilityProfile } from '../../domain/decide';
import { FacilityDirectory, type FacilityRecord } from '../../ports/facility-directory.port';

/** Beyond this many cached codes the cache starts over (codes come from callers; the registry has ~13,000). */
const MAX_CACHED_CODES = 50_000;

interface Cached {
  /** undefined: not in the registry copy (cached too, so an unknown code costs one query per period). */
  readonly profile: FacilityProfile | undefined;
  readonly until: number;
}

/**
 * `facilities`, the registry copy. The decision point asks for a profile on every decision, so
 * `profiles` is a Map lookup while an entry is fresh, and one query for all the misses of a call;
 * concurrent calls missing the same code share that query. A change reaches other replicas' caches
 * when their entry expires (config.consent.facilityCacheMs).
 */
@Injectable()
export class FacilityDirectoryRepository extends FacilityDirectory {
  private readonly cache = new Map<string, Cached>();
  private readonly loading = new Map<string, Promise<FacilityProfile | undefined>>();

  constructor(
    private readonly cacheMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  async profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    const now = this.clock();
    const found = new Map<string, FacilityProfile>();
    const pending: Promise<[string, FacilityProfile | undefined]>[] = [];
    const misses: string[] = [];
    for (const code of new Set(codes)) {
      const cached = this.cache.get(code);
      if (cached && cached.until > now) {
        if (cached.profile) found.set(code, cached.profile);
        continue;
      }
      const loading = this.loading.get(code);
      if (loading) pending.push(loading.then((profile) => [code, profile]));
      else misses.push(code);
    }
    if (misses.length > 0) {
      const loaded = this.load(db, misses);
      pending.push(...misses.map((code) => loaded.then((profiles): [string, FacilityProfile | undefined] => [code, profiles.get(code)])));
    }
    // An unreadable registry copy is an error for the caller, never "unknown facility".
    for (const [code, profile] of await Promise.all(pending)) if (profile) found.set(code, profile);
    return found;
  }

  upsert(tx: Tx, facility: FacilityRecord): void {
    tx.write(
      (p) => `INSERT INTO facilities (code, level, province_code, sensitive, version)
              VALUES (${p(facility.code)}, ${p(facility.level)}, ${p(facility.provinceCode)}, ${p(facility.sensitive)}, ${p(facility.version)})
              ON CONFLICT (code) DO UPDATE
                SET level = EXCLUDED.level, province_code = EXCLUDED.province_code, sensitive = EXCLUDED.sensitive, version = EXCLUDED.version
                WHERE facilities.version <= EXCLUDED.version`,
    );
    // This replica reads it again next time (other replicas when their entry expires).
    this.cache.delete(facility.code);
  }

  private load(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    const loaded = db
      .query<{ code: string; level: FacilityLevel; province_code: string }>(`SELECT code, level, province_code FROM facilities WHERE code = ANY($1::text[])`, [codes])
      .then((rows) => {
        const profiles = new Map(rows.map((r): [string, FacilityProfile] => [r.code, { code: r.code, level: r.level, provinceCode: r.province_code }]));
        if (this.cache.size + codes.length > MAX_CACHED_CODES) this.cache.clear();
        const until = this.clock() + this.cacheMs;
        for (const code of codes) this.cache.set(code, { profile: profiles.get(code), until });
        return profiles;
      })
      .finally(() => {
        for (const code of codes) this.loading.delete(code);
      });
    for (const code of codes) {
      const one = loaded.then((profiles) => profiles.get(code));
      // Handled here so a load nobody else waited for cannot surface as an unhandled rejection.
      void one.catch(() => undefined);
      this.loading.set(code, one);
    }
    return loaded;
  }
}

export function facilityDirectoryFrom(config: ConsentConfig): FacilityDirectoryRepository {
  return new FacilityDirectoryRepository(config.consent.facilityCacheMs);
}
