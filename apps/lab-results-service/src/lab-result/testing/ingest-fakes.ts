import { OutboxWriter, outboxEventsOf } from '@lienthong/messaging';
import { type AuditEntry, AuditTrail, type Db, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { FakeUnitOfWork, type Snapshottable, useTx } from '@lienthong/testing';
import { createHash } from 'node:crypto';
import { type RuleSet } from '../../reuse/domain/catalogue';
import { type LabResultsConfig } from '../../config/lab-results.config';
import { type VisitDemographics } from '../domain/demographics';
import { type CurrentResult, type PlannedVersion, type ResultCounts } from '../domain/versioning';
import { DemographicsVault } from '../ports/demographics-vault.port';
import { LabResultStore } from '../ports/lab-result-store.port';
import { type LocalPatient, type PatientResolutionRecord, PatientResolutions } from '../ports/patient-resolutions.port';
import { PatientResolver, type PatientResolution } from '../ports/patient-resolver.port';
import { SubmissionStore, type SubmissionView, type VisitIssue, type VisitOutcome, type VisitReport } from '../ports/submission-store.port';
import { type AcceptedVisit, type ClaimedVisit, type LockedVisit, type VisitHead, type VisitStatus, VisitStore, type WaitingVisit } from '../ports/visit-store.port';
import { GetSubmissionUseCase } from '../use-cases/get-submission/get-submission.use-case';
import { IngestXml130UseCase } from '../use-cases/ingest-xml130/ingest-xml130.use-case';
import { ResolvePendingVisitsUseCase } from '../use-cases/resolve-pending-visits/resolve-pending-visits.use-case';
import { VisitSettlement } from '../use-cases/visit-settlement';
import { TEST_RULE_SETS } from './test-rule-sets';

/*
 * The ingest's ports over Maps, for the use-case specs (no Nest, no SQL): writes apply at once and
 * are put back when the unit of work throws. The SQL behind the real ones is covered by
 * ingest.int-spec.ts on the real Postgres.
 */

const clone = <T>(value: T): T => structuredClone(value);

function snapshotting<T>(get: () => T, set: (value: T) => void): () => void {
  const saved = clone(get());
  return () => set(saved);
}

interface VisitRow {
  visitId: string;
  facilityCode: string;
  maLk: string;
  status: VisitStatus;
  enterprisePatientId: string | null;
  demographics: Buffer | null;
  lines: AcceptedVisit['lines'];
  contentHash: string;
  generation: number;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
}

export class InMemoryVisits extends VisitStore implements Snapshottable {
  rows = new Map<string, VisitRow>();

  /** `resolutions`: the patients already known (the real lock reads them in the same statement). */
  constructor(private readonly resolutions: InMemoryPatientResolutions) {
    super();
  }

  snapshot(): () => void {
    return snapshotting(() => this.rows, (v) => (this.rows = v));
  }

  byMaLk(maLk: string): VisitRow | undefined {
    return [...this.rows.values()].find((r) => r.maLk === maLk);
  }

  async lock(tx: Tx, facilityCode: string, maLk: string, patient: { localId: string; fingerprint: string }): Promise<LockedVisit> {
    useTx(tx);
    const r = [...this.rows.values()].find((v) => v.facilityCode === facilityCode && v.maLk === maLk);
    const head: VisitHead | undefined = r && { visitId: r.visitId, status: r.status, contentHash: r.contentHash, generation: r.generation, enterprisePatientId: r.enterprisePatientId };
    return { head, knownPatientId: this.resolutions.known({ facilityCode, localId: patient.localId }, patient.fingerprint) };
  }

  accept(tx: Tx, v: AcceptedVisit): void {
    useTx(tx);
    const existing = this.rows.get(v.visitId);
    const waiting = v.state.status === 'pending-patient' ? v.state : undefined;
    this.rows.set(v.visitId, {
      visitId: v.visitId,
      facilityCode: v.facilityCode,
      maLk: v.maLk,
      status: v.state.status,
      enterprisePatientId: v.state.status === 'resolved' ? v.state.enterprisePatientId : (existing?.enterprisePatientId ?? null),
      demographics: waiting?.demographics ?? null,
      lines: v.lines,
      contentHash: v.contentHash,
      generation: v.generation,
      attempts: 0,
      nextAttemptAt: waiting?.nextAttemptAt ?? null,
      lastError: null,
    });
  }

  async loadForResolution(tx: Tx, visitId: string): Promise<WaitingVisit | undefined> {
    useTx(tx);
    const r = this.rows.get(visitId);
    return r && { visitId, facilityCode: r.facilityCode, maLk: r.maLk, status: r.status, generation: r.generation, demographics: r.demographics, lines: r.lines, attempts: r.attempts };
  }

  async claimDue(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedVisit[]> {
    useTx(tx);
    const due = [...this.rows.values()]
      .filter((r) => r.status === 'pending-patient' && r.demographics !== null && r.nextAttemptAt !== null && r.nextAttemptAt <= now)
      .sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0))
      .slice(0, limit);
    return due.map((r) => {
      r.attempts += 1;
      r.nextAttemptAt = leaseUntil;
      return { visitId: r.visitId, facilityCode: r.facilityCode, maLk: r.maLk, generation: r.generation, demographics: r.demographics as Buffer, attempts: r.attempts };
    });
  }

  markResolved(tx: Tx, visitId: string, enterprisePatientId: string): void {
    useTx(tx);
    Object.assign(this.rows.get(visitId) ?? {}, { status: 'resolved', enterprisePatientId, demographics: null, nextAttemptAt: null, lastError: null });
  }

  markRejected(tx: Tx, visitId: string, reason: string): void {
    useTx(tx);
    Object.assign(this.rows.get(visitId) ?? {}, { status: 'rejected', demographics: null, nextAttemptAt: null, lastError: reason });
  }

  retryLater(tx: Tx, visitId: string, nextAttemptAt: Date, error: string): void {
    useTx(tx);
    const r = this.rows.get(visitId);
    if (r?.status === 'pending-patient') Object.assign(r, { nextAttemptAt, lastError: error });
  }

  async countWaiting(db: Db): Promise<number> {
    useTx(db);
    return [...this.rows.values()].filter((r) => r.status === 'pending-patient').length;
  }
}

/**
 * `patient_resolutions` over a Map, with the registry's word as the spec sets it: `merged` (patients
 * merged into another) and `links` ((facility, local id) → the patient identity's events say holds it).
 */
export class InMemoryPatientResolutions extends PatientResolutions implements Snapshottable {
  rows = new Map<string, PatientResolutionRecord>();
  readonly merged = new Set<string>();
  readonly links = new Map<string, string>();

  snapshot(): () => void {
    return snapshotting(() => this.rows, (v) => (this.rows = v));
  }

  static key(patient: LocalPatient): string {
    return `${patient.facilityCode}\u0000${patient.localId}`;
  }

  /** What the visit lock reads of them (knownPatientSql's rule). */
  known(patient: LocalPatient, fingerprint: string): string | undefined {
    const row = this.rows.get(InMemoryPatientResolutions.key(patient));
    if (row === undefined || row.fingerprint !== fingerprint || this.merged.has(row.enterprisePatientId)) return undefined;
    const link = this.links.get(InMemoryPatientResolutions.key(patient));
    return link === undefined || link === row.enterprisePatientId ? row.enterprisePatientId : undefined;
  }

  record(tx: Tx, resolution: PatientResolutionRecord): void {
    useTx(tx);
    this.rows.set(InMemoryPatientResolutions.key(resolution), { ...resolution });
  }
}

export class InMemoryLabResults extends LabResultStore implements Snapshottable {
  current = new Map<string, CurrentResult & { facilityCode: string; maLk: string }>();
  versions: (PlannedVersion & { submissionId: string | null })[] = [];

  snapshot(): () => void {
    const restoreCurrent = snapshotting(() => this.current, (v) => (this.current = v));
    const restoreVersions = snapshotting(() => this.versions, (v) => (this.versions = v));
    return () => (restoreCurrent(), restoreVersions());
  }

  async currentOfVisit(tx: Tx, facilityCode: string, maLk: string): Promise<CurrentResult[]> {
    useTx(tx);
    return [...this.current.values()].filter((c) => c.facilityCode === facilityCode && c.maLk === maLk);
  }

  store(tx: Tx, facilityCode: string, maLk: string, versions: readonly PlannedVersion[], submissionId: string | null): void {
    useTx(tx);
    for (const v of versions) {
      this.versions.push({ ...v, submissionId });
      this.current.set(v.result.resultId, { resultId: v.result.resultId, lineKey: v.result.source.lineKey, version: v.result.version, status: v.result.status, contentHash: v.contentHash, result: v.result, facilityCode, maLk });
    }
  }
}

interface SubmissionRow {
  submissionId: string;
  facilityCode: string;
  receivedAt: Date;
  visits: (VisitReport & { visitId: string | null })[];
}

export class InMemorySubmissions extends SubmissionStore implements Snapshottable {
  rows = new Map<string, SubmissionRow>();

  snapshot(): () => void {
    return snapshotting(() => this.rows, (v) => (this.rows = v));
  }

  create(tx: Tx, s: { submissionId: string; facilityCode: string; receivedAt: Date }): void {
    useTx(tx);
    this.rows.set(s.submissionId, { submissionId: s.submissionId, facilityCode: s.facilityCode, receivedAt: s.receivedAt, visits: [] });
  }

  recordVisit(tx: Tx, submissionId: string, report: VisitReport, visitId: string | null): void {
    useTx(tx);
    const row = this.rows.get(submissionId);
    if (row === undefined) throw new Error('recordVisit before create');
    row.visits.push({ ...report, visitId });
  }

  settle(tx: Tx, visitId: string, outcome: VisitOutcome, results: ResultCounts, errors: readonly VisitIssue[]): void {
    useTx(tx);
    for (const row of this.rows.values()) {
      row.visits = row.visits.map((v) =>
        v.visitId === visitId && v.outcome === 'pending-patient' ? { ...v, outcome, results, errors: [...v.errors, ...errors.map((e) => ({ ...e, pointer: `#/visits/${v.index}${e.pointer}` }))] } : v,
      );
    }
  }

  async find(db: Db, submissionId: string, facilityCode: string): Promise<SubmissionView | undefined> {
    useTx(db);
    const row = this.rows.get(submissionId);
    if (row?.facilityCode !== facilityCode) return undefined;
    return { submissionId, facilityCode, receivedAt: row.receivedAt, visits: row.visits.map(({ visitId: _visitId, ...v }) => v).sort((a, b) => a.index - b.index) };
  }
}

export class RecordingAudit extends AuditTrail implements Snapshottable {
  entries: (AuditEntry & { actor: Actor })[] = [];

  snapshot(): () => void {
    const saved = [...this.entries];
    return () => (this.entries = saved);
  }

  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    useTx(tx);
    this.entries.push(...entries.map((e) => ({ ...e, actor })));
  }
}

/** Not encryption: a reversible wrapping bound to its context, so specs see what the real vault protects. */
export class TransparentVault extends DemographicsVault {
  seal(demographics: VisitDemographics, context: string): Buffer {
    return Buffer.from(JSON.stringify({ context, demographics }));
  }

  open(sealed: Buffer, context: string): VisitDemographics {
    const { context: sealedFor, demographics } = JSON.parse(sealed.toString('utf8')) as { context: string; demographics: VisitDemographics };
    if (sealedFor !== context) throw new Error('sealed for another visit');
    return demographics;
  }

  fingerprint(content: string): string {
    return createHash('sha256').update(content).digest('hex');
  }
}

/**
 * identity as the specs need it: one enterprise id per CCCD (or local id), answers set per call with
 * `next` (resolved by default), every call recorded.
 */
export class FakeIdentity extends PatientResolver {
  readonly calls: { facilityCode: string; demographics: VisitDemographics; idempotencyKey: string }[] = [];
  /** What the next calls answer (first in, first used); then `fallback`. */
  readonly next: PatientResolution[] = [];
  fallback: 'resolve' | PatientResolution = 'resolve';
  /** Awaited before each answer: a slow identity. */
  latency: (() => Promise<void>) | undefined;
  /** The most calls that were in flight at once. */
  maxConcurrent = 0;
  private active = 0;

  async registerOrLink(facilityCode: string, demographics: VisitDemographics, idempotencyKey: string): Promise<PatientResolution> {
    this.calls.push({ facilityCode, demographics, idempotencyKey });
    this.active += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active);
    try {
      await this.latency?.();
    } finally {
      this.active -= 1;
    }
    const answer = this.next.shift() ?? this.fallback;
    if (answer !== 'resolve') return answer;
    return { kind: 'resolved', enterprisePatientId: FakeIdentity.idOf(demographics) };
  }

  /** The enterprise id the fake gives a person: a UUID derived from their first identifier. */
  static idOf(demographics: VisitDemographics): string {
    const hex = createHash('sha256').update(demographics.identifiers[0]?.value ?? demographics.localId).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

export const TEST_LAB_CONFIG = { lab: { pendingRetryMs: 1_000, callTimeoutMs: 2_000 } } as Pick<LabResultsConfig, 'lab'>;

/** The ingest use cases over the fakes. */
export function ingestKit(options: { ruleSets?: readonly RuleSet[] } = {}) {
  const resolutions = new InMemoryPatientResolutions();
  const visits = new InMemoryVisits(resolutions);
  const results = new InMemoryLabResults();
  const submissions = new InMemorySubmissions();
  const audit = new RecordingAudit();
  const identity = new FakeIdentity();
  const vault = new TransparentVault();
  const uow = new FakeUnitOfWork([visits, results, submissions, audit, resolutions], { events: outboxEventsOf });
  const outbox = new OutboxWriter({ source: '/lienthong/lab-results-service', notify: false });
  const unitOfWork = uow as unknown as ConstructorParameters<typeof VisitSettlement>[0];
  const settlement = new VisitSettlement(unitOfWork, visits, results, submissions, identity, resolutions, vault, outbox, audit, TEST_LAB_CONFIG);
  return {
    visits,
    results,
    submissions,
    audit,
    identity,
    vault,
    resolutions,
    uow,
    settlement,
    ingest: new IngestXml130UseCase(unitOfWork, visits, submissions, vault, settlement, audit, options.ruleSets ?? TEST_RULE_SETS),
    resolvePending: new ResolvePendingVisitsUseCase(unitOfWork, visits, submissions, vault, settlement, audit),
    getSubmission: new GetSubmissionUseCase(unitOfWork, submissions),
  };
}
