import { CONSENT_UNAVAILABLE } from '@lienthong/consent-client';
import { type BuiltEvent, type Decision, type DecisionQuery, type LabResult, parseEventData } from '@lienthong/contracts';
import { OutboxWriter, type OutboxEvent } from '@lienthong/messaging';
import { type Db, type RunOptions, type Tx, UnitOfWork } from '@lienthong/persistence';
import { LabResultError, LabResultErrorCode } from '../../lab-result/domain/lab-result-error';
import { unusedTx } from '../../registry/testing/registry-fakes';
import { ConsentDecisions } from '../ports/consent-decisions.port';
import { PatientLookup, type PatientQuery } from '../ports/patient-lookup.port';
import { ReuseChecks, type StoredCheck, type StoredDecision } from '../ports/reuse-checks.port';
import { type LineCodes, ReuseResults } from '../ports/reuse-results.port';

/*
 * The reuse context's ports over Maps, for use-case specs (the registry's fakes cover patients, links
 * and facilities). The SQL behind the real ones is covered by reuse.int-spec.ts.
 */

/** Runs the work on a Tx nobody reads (the fakes apply writes at once) and records each unit's locks. */
export class FakeUnitOfWork extends UnitOfWork {
  readonly runs: (readonly bigint[])[] = [];
  reads = 0;

  run<T>(work: (tx: Tx) => Promise<T>, options?: RunOptions): Promise<T> {
    this.runs.push(options?.locks ?? []);
    return work(unusedTx);
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.reads += 1;
    return work(unusedTx);
  }
}

/** The ingest's stored results: every version appended; reads answer the latest of each. */
export class InMemoryReuseResults extends ReuseResults {
  readonly versions: LabResult[] = [];
  readonly asked: { enterprisePatientId: string; codes: LineCodes }[] = [];

  async latestOfPatient(_db: Db, enterprisePatientId: string, codes: LineCodes): Promise<LabResult[]> {
    this.asked.push({ enterprisePatientId, codes });
    const latest = new Map<string, LabResult>();
    for (const r of this.versions) {
      const seen = latest.get(r.resultId);
      if (seen === undefined || r.version > seen.version) latest.set(r.resultId, r);
    }
    return [...latest.values()].filter(
      (r) =>
        r.enterprisePatientId === enterprisePatientId &&
        ((r.test.mohIndicatorCode !== null && codes.mohIndicatorCodes.includes(r.test.mohIndicatorCode)) || codes.serviceCodes.includes(r.test.serviceCode)),
    );
  }
}

export class InMemoryReuseChecks extends ReuseChecks {
  readonly checks = new Map<string, StoredCheck>();
  readonly decisions: StoredDecision[] = [];

  insert(_tx: Tx, check: StoredCheck): void {
    if (this.checks.has(check.checkId)) throw new Error(`duplicate check ${check.checkId}`);
    this.checks.set(check.checkId, check);
  }

  async find(_db: Db, checkId: string) {
    const check = this.checks.get(checkId);
    return check === undefined ? undefined : { ...check, decisions: this.decisions.filter((d) => d.checkId === checkId) };
  }

  insertDecision(_tx: Tx, decision: StoredDecision): void {
    if (this.decisions.some((d) => d.checkId === decision.checkId && d.testCode === decision.testCode)) throw new Error('unique violation: one decision per test');
    this.decisions.push(decision);
  }
}

/** identity's lookups: CCCD → id, `facility/localId` → id, as the facility acting may see them. */
export class FakePatientLookup extends PatientLookup {
  readonly byCccd = new Map<string, string>();
  readonly byLocalId = new Map<string, string>();
  readonly calls: { query: PatientQuery; actingFor: string; purpose: string }[] = [];
  unavailable = false;

  async find(query: PatientQuery, actingFor: string, purpose: string): Promise<string | undefined> {
    this.calls.push({ query, actingFor, purpose });
    if (this.unavailable) throw new LabResultError(LabResultErrorCode.DependencyUnavailable, 'identity-service did not answer in time');
    return query.by === 'cccd' ? this.byCccd.get(query.cccd) : this.byLocalId.get(`${query.facilityCode}/${query.localId}`);
  }
}

/** The decision point: `decide` answers each query (default: permit); `unavailable` answers as the client does when it cannot ask. */
export class FakeConsentDecisions extends ConsentDecisions {
  readonly batches: (readonly DecisionQuery[])[] = [];
  unavailable = false;

  constructor(public decide: (q: DecisionQuery) => Decision = () => ({ decision: 'permit', reason: 'consent-granted', basis: [], obligations: [] })) {
    super();
  }

  async decideMany(queries: readonly DecisionQuery[]): Promise<Decision[]> {
    this.batches.push(queries);
    return queries.map((q) => (this.unavailable ? CONSENT_UNAVAILABLE : this.decide(q)));
  }
}

/** The outbox writer, validating each event against its contract and keeping it instead of queueing SQL. */
export class RecordingOutbox extends OutboxWriter {
  readonly events: { type: string; topic: string; key: string; data: Record<string, unknown> }[] = [];

  constructor() {
    super({ source: '/lienthong/lab-results-service' });
  }

  override append(_tx: Tx, events: OutboxEvent | readonly OutboxEvent[]): BuiltEvent<unknown>[] {
    const list: readonly OutboxEvent[] = Array.isArray(events) ? events : [events as OutboxEvent];
    for (const e of list) {
      const data = parseEventData(e.definition, e.data) as Record<string, unknown>;
      this.events.push({ type: e.definition.type, topic: e.definition.topic.name, key: e.definition.keyOf(data as never), data });
    }
    return [];
  }
}
