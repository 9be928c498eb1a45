import type { Decision, DecisionQuery } from '@lienthong/contracts';
import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DEFAULT_POLICIES } from '../../../config/default-policies';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { type ConsentState, decide, type DefaultPolicy, type FacilityProfile } from '../../domain/decide';
import { type ConsentAuditEntry } from '../../ports/audit-trail.port';
import { type CachedState, ConsentStateCache } from '../../ports/consent-state-cache.port';
import { ConsentStateSource } from '../../ports/consent-state-source.port';
import { FacilityDirectory } from '../../ports/facility-directory.port';

/** The answer when the truth cannot be read: never a permit on a guess. */
export const CONSENT_UNAVAILABLE: Decision = Object.freeze({ decision: 'deny', reason: 'consent-unavailable', basis: [], obligations: [] }) as Decision;

/** Where the decision point logs; what it logs when it fails closed (no patient ids, no query details). */
export interface DecisionLog {
  error(message: string): void;
}
/** Token of an optional DecisionLog (default: Nest's logger, which the platform routes to pino). */
export const DECISION_LOG = Symbol('DECISION_LOG');

/**
 * The decision point: "may facility F read category C of patient P for purpose U at T?" for one query
 * or a batch, in order. Per request: one cache read for every patient; on misses ONE read of the truth
 * (and the facility profiles), cached for the next caller; the decisions taken by the pure rules; every
 * decision audited in one insert, durable before the answers leave.
 *
 * Fails closed: when the truth (or the audit trail) cannot be reached, every answer is a deny with
 * reason `consent-unavailable`, and one error line says so. The cache never decides alone: a cache that
 * is down reads as misses.
 */
@Injectable()
export class DecideUseCase {
  private readonly log: DecisionLog;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly cache: ConsentStateCache,
    private readonly source: ConsentStateSource,
    private readonly facilities: FacilityDirectory,
    private readonly audit: AuditTrail,
    @Inject(DEFAULT_POLICIES) private readonly policies: readonly DefaultPolicy[],
    @Optional() @Inject(DECISION_LOG) log?: DecisionLog,
  ) {
    this.log = log ?? new Logger('DecisionPoint');
  }

  async execute(actor: Actor, queries: readonly DecisionQuery[]): Promise<Decision[]> {
    // The decision point answers the systems about to read: a person (an analyst, a steward) reads
    // through them, and is never told a patient's consent state one query at a time.
    if (actor.kind === 'person') {
      throw new ConsentError(ConsentErrorCode.Forbidden, 'The decision point answers facilities and Liên Thông services; a person’s token asks nothing.');
    }
    // A facility asks only about itself (a service asks for any facility it serves).
    const own = actingFacility(actor);
    if (own !== undefined) {
      const other = queries.findIndex((q) => q.facilityCode !== own);
      if (other >= 0) {
        throw new ConsentError(ConsentErrorCode.Forbidden, `A facility may ask only about its own reads (${own}); query ${other} names another facility.`);
      }
    }
    if (queries.length === 0) return [];

    const now = Date.now();
    const asked = queries.map((q) => ({ ...q, enterprisePatientId: q.enterprisePatientId.toLowerCase(), at: q.at === undefined ? now : Date.parse(q.at) }));
    const ids = [...new Set(asked.map((q) => q.enterprisePatientId))];
    const cached = await this.cache.getMany(ids);
    const states = new Map<string, ConsentState>();
    const misses: CachedState[] = [];
    for (const entry of cached) {
      if (entry.state !== undefined) states.set(entry.enterprisePatientId, entry.state);
      else misses.push(entry);
    }

    let loaded: Map<string, ConsentState> | undefined;
    let decisions: Decision[];
    try {
      decisions = await this.uow.read(async (tx) => {
        const [fromTruth, profiles] = await Promise.all([
          misses.length > 0 ? this.source.load(tx, misses.map((m) => m.enterprisePatientId)) : undefined,
          this.facilities.profiles(tx, [...new Set(asked.map((q) => q.facilityCode))]),
        ]);
        loaded = fromTruth;
        for (const [id, state] of fromTruth ?? []) states.set(id, state);
        const answers = asked.map((q) => this.decideOne(states.get(q.enterprisePatientId), profiles.get(q.facilityCode), q));
        this.audit.append(tx, actor, asked.map((q, i) => auditEntry(q, answers[i] ?? CONSENT_UNAVAILABLE, states.get(q.enterprisePatientId))));
        return answers;
      });
    } catch (error) {
      this.log.error(
        `consent decisions failed closed: the consent store could not be read or the decisions audited (${describe(error)}); ` +
          `${queries.length} decision(s) answered deny consent-unavailable`,
      );
      return queries.map(() => CONSENT_UNAVAILABLE);
    }

    if (loaded !== undefined) {
      // Only a patient's own state is cached under its id: a merged id is resolved again each time, so
      // a change to the survivor (which signals the survivor only) can never leave it stale.
      const fresh = misses.flatMap((m) => {
        const state = loaded?.get(m.enterprisePatientId);
        return state !== undefined && state.enterprisePatientId === m.enterprisePatientId ? [{ ...m, state }] : [];
      });
      if (fresh.length > 0) await this.cache.putMany(fresh);
    }
    return decisions;
  }

  private decideOne(state: ConsentState | undefined, facility: FacilityProfile | undefined, q: AskedQuery): Decision {
    // The truth answers for every id it is asked; an id without a state is one nobody announced.
    const known = state ?? { enterprisePatientId: q.enterprisePatientId, known: false, careFacilities: [], versions: [], emergencyAccesses: [] };
    try {
      return decide(known, { facility, facilityCode: q.facilityCode, category: q.category, purpose: q.purpose, at: q.at }, this.policies);
    } catch {
      // Only a time before every configured default policy gets here: nothing allows a permit then.
      return { decision: 'deny', reason: 'no-consent', basis: [], obligations: [] };
    }
  }
}

/** A query as decided: its patient id lower-cased, its time in epoch milliseconds. */
type AskedQuery = Omit<DecisionQuery, 'at'> & { readonly at: number };

function auditEntry(q: AskedQuery, d: Decision, state: ConsentState | undefined): ConsentAuditEntry {
  const answeredFor = state !== undefined && state.enterprisePatientId !== q.enterprisePatientId ? state.enterprisePatientId : undefined;
  return {
    action: 'decision',
    patientId: q.enterprisePatientId,
    outcome: d.decision,
    detail: {
      facilityCode: q.facilityCode,
      category: q.category,
      purpose: q.purpose,
      at: new Date(q.at).toISOString(),
      reason: d.reason,
      basis: d.basis,
      ...(d.policyVersion !== undefined ? { policyVersion: d.policyVersion } : {}),
      ...(d.emergencyAccessId !== undefined ? { emergencyAccessId: d.emergencyAccessId } : {}),
      ...(d.obligations.length > 0 ? { obligations: d.obligations } : {}),
      ...(answeredFor !== undefined ? { answeredFor } : {}),
    },
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The failure in a few words: the driver's code and message, any id in it masked. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as Error & { code?: unknown }).code;
  const text = `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  return text.replace(UUID, '<id>').slice(0, 300);
}
