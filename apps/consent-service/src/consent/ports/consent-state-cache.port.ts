import { type ConsentState } from '../domain/decide';

/**
 * The decision point's cache of per-patient consent state (Redis, shared by every replica). Never
 * the truth: a miss, an error or an unreachable cache means "read Postgres". Writers invalidate after
 * commit; `put` only stores a state read after the latest invalidation (a generation check), so a slow
 * reader never re-caches what a withdrawal replaced.
 */
export abstract class ConsentStateCache {
  /** One entry per id, undefined on a miss; resolves to all-misses rather than throwing when the cache is down. */
  abstract getMany(enterprisePatientIds: readonly string[]): Promise<CachedState[]>;
  /** Stores states read from the truth, each guarded by the generation its `getMany` saw. */
  abstract putMany(entries: readonly CachedState[]): Promise<void>;
  /** Drops the patients' entries and bumps their generations; resolves even when the cache is down (and remembers to flush it when it is back). */
  abstract invalidate(enterprisePatientIds: readonly string[]): Promise<void>;
}

export interface CachedState {
  readonly enterprisePatientId: string;
  /** The cached state, or undefined on a miss. */
  readonly state: ConsentState | undefined;
  /** Opaque token of the generation seen by `getMany`, handed back to `putMany`. */
  readonly generation: string | null;
}
