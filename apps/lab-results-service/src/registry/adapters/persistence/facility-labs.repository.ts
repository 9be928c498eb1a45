import { type Db, type Tx } from '@lienthong/persistence';
import { type FacilityLevel, parseLabQualityLevel } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { type FacilityLab, type FacilityRecord } from '../../domain/facility-lab';
import { FacilityLabs } from '../../ports/facility-labs.port';

/** How long a profile is served from memory: a registry change reaches other replicas within this. */
export const FACILITY_CACHE_MS = 5_000;
/** Beyond this many cached codes the cache starts over (codes come from callers; the registry has ~13,000). */
const MAX_CACHED_CODES = 50_000;

interface Cached {
  /** undefined: not in the registry copy (cached too, so an unknown code costs one query per period). */
  readonly profile: FacilityLab | undefined;
  readonly until: number;
}

interface FacilityRow {
  code: string;
  level: FacilityLevel;
  province_code: string;
  lab_quality_level: string;
  iso15189_scope: string[];
  sensitive: boolean;
}

/**
 * `facilities`, the registry copy. Every reuse check asks for the requester's and the performing labs'
 * profiles, so `profiles` is a Map lookup while an entry is fresh and one query for all the misses of a
 * call; concurrent calls missing the same code share that query.
 */
@Injectable()
export class FacilityLabsRepository extends FacilityLabs {
  private readonly cache = new Map<string, Cached>();
  private readonly loading = new Map<string, Promise<FacilityLab | undefined>>();

  constructor(
    private readonly cacheMs: number = FACILITY_CACHE_MS,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  async profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityLab>> {
    const now = this.clock();
    const found = new Map<string, FacilityLab>();
    const pending: Promise<[string, FacilityLab | undefined]>[] = [];
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
      pending.push(...misses.map((code) => loaded.then((profiles): [string, FacilityLab | undefined] => [code, profiles.get(code)])));
    }
    // An unreadable registry copy is an error for the caller, never "unknown facility".
    for (const [code, profile] of await Promise.all(pending)) if (profile) found.set(code, profile);
    return found;
  }

  upsert(tx: Tx, f: FacilityRecord): void {
    tx.write(
      (p) => `INSERT INTO facilities (code, level, province_code, lab_quality_level, iso15189_scope, sensitive, version)
              VALUES (${p(f.code)}, ${p(f.level)}, ${p(f.provinceCode)}, ${p(`${f.labQualityLevel}`)}, ${p(f.iso15189Scope)}::text[], ${p(f.sensitive)}, ${p(f.version)})
              ON CONFLICT (code) DO UPDATE
                SET level = EXCLUDED.level, province_code = EXCLUDED.province_code, lab_quality_level = EXCLUDED.lab_quality_level,
                    iso15189_scope = EXCLUDED.iso15189_scope, sensitive = EXCLUDED.sensitive, version = EXCLUDED.version
                WHERE facilities.version <= EXCLUDED.version`,
    );
    // This replica reads it again next time (other replicas when their entry expires).
    this.cache.delete(f.code);
  }

  private load(db: Db, codes: readonly string[]): Promise<Map<string, FacilityLab>> {
    const loaded = db
      .query<FacilityRow>(
        `SELECT code, level, province_code, lab_quality_level, iso15189_scope, sensitive FROM facilities WHERE code = ANY($1::text[])`,
        [codes],
      )
      .then((rows) => {
        const profiles = new Map(rows.map((r): [string, FacilityLab] => [r.code, toProfile(r)]));
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

function toProfile(r: FacilityRow): FacilityLab {
  return {
    code: r.code,
    level: r.level,
    provinceCode: r.province_code,
    // Written only from a parsed level; a row edited by hand to nonsense counts as unrated (the strictest).
    labQualityLevel: parseLabQualityLevel(r.lab_quality_level) ?? 'unrated',
    iso15189Scope: r.iso15189_scope,
    sensitive: r.sensitive,
  };
}
