import { LabResultAmendedV1, LabResultCancelledV1, LabResultFinalizedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { AuditTrail, type Tx, UnitOfWork } from '@lienthong/persistence';
import { type Actor, InjectConfig } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { type LabResultsConfig } from '../../config/lab-results.config';
import { type CanonicalLine } from '../domain/canonical-result';
import { demographicsFingerprintContent, type VisitDemographics, xml1PointerFor } from '../domain/demographics';
import { planVersions, type PlannedVersion, type ResultCounts } from '../domain/versioning';
import { DemographicsVault } from '../ports/demographics-vault.port';
import { LabResultStore } from '../ports/lab-result-store.port';
import { PatientResolutions } from '../ports/patient-resolutions.port';
import { PatientResolver, type PatientResolution } from '../ports/patient-resolver.port';
import { SubmissionStore, type VisitIssue, type VisitOutcome } from '../ports/submission-store.port';
import { VisitStore } from '../ports/visit-store.port';

export const INGEST_ACTION = 'lab-result.ingest';
export const NO_RESULTS: ResultCounts = { new: 0, amended: 0, cancelled: 0, unchanged: 0 };

/** Retries of a waiting visit back off from LAB_PENDING_RETRY_MS up to this many times it. */
const MAX_BACKOFF_FACTOR = 60;
/** Beyond the call's own deadline, how long a visit being resolved stays out of the retry worker's reach. */
const LEASE_MARGIN_MS = 5_000;

/** How a visit was settled, as a report needs it. `errors` point into the visit (`/xml1/SO_CCCD`): prefix them with `#/visits/<index>`. */
export interface Settled {
  readonly outcome: VisitOutcome;
  readonly results: ResultCounts;
  readonly errors: readonly VisitIssue[];
  readonly enterprisePatientId: string | null;
  /** identity could not answer: the visit waits for its next attempt. */
  readonly retry: boolean;
}

export interface VisitToSettle {
  readonly visitId: string;
  readonly generation: number;
  readonly facilityCode: string;
  readonly demographics: VisitDemographics;
  /** Failed attempts so far (the backoff). */
  readonly attempts: number;
  /** Who is settling it: the uploading facility's request, or the retry worker acting for it. */
  readonly actor: Actor;
  /** The file it came from when settled by that file's request (its versions record it). */
  readonly submissionId: string | null;
}

/** A visit whose patient is known, its results to store (in the caller's unit of work, the visit locked). */
export interface ResolvedVisit {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  /** The visit's accepted generation: 1 is its first, which no stored result can precede. */
  readonly generation: number;
  readonly lines: readonly CanonicalLine[];
  /** `contentHash` of each line, when the caller has them already. */
  readonly lineHashes?: readonly string[];
  readonly enterprisePatientId: string;
  readonly actor: Actor;
  readonly submissionId: string | null;
  /** identity answered now, or had answered before for exactly these demographics (PatientResolutions). */
  readonly resolvedBy: 'identity' | 'known-patient';
  readonly at: Date;
}

/** What storing a resolved visit's results did. */
export interface StoredResults {
  readonly outcome: Extract<VisitOutcome, 'stored' | 'unchanged'>;
  readonly counts: ResultCounts;
}

/** The event announcing a version. */
export function versionEvent(version: PlannedVersion) {
  switch (version.kind) {
    case 'new':
      return outboxEvent(LabResultFinalizedV1, version.result);
    case 'amended':
      return outboxEvent(LabResultAmendedV1, version.result);
    case 'cancelled':
      return outboxEvent(LabResultCancelledV1, version.result);
  }
}

/**
 * The second half of accepting a visit, shared by the upload and the retry worker: ask identity for
 * the patient (register-or-link, as lab-results-service acting for the facility), then, in ONE unit of
 * work with the visit's row locked, settle it:
 * - resolved: the versions the visit changes stored with their `lab.result.v1` events, the patient
 *   recorded, the demographics dropped, every report still pending for it updated, audited — and
 *   identity's answer kept with the fingerprint of what it was sent (PatientResolutions), so the
 *   patient's next visit with the same demographics is stored at once (`storeResults`, by the upload);
 * - refused by identity (4xx): the visit rejected with identity's reasons pointing into XML1, the
 *   demographics dropped;
 * - identity unavailable: the visit stays waiting, its next attempt backed off.
 * A resolution for a visit that was resubmitted (or settled) meanwhile is dropped: the newer content
 * is resolved on its own.
 */
@Injectable()
export class VisitSettlement {
  private readonly retryMs: number;
  private readonly callTimeoutMs: number;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly visits: VisitStore,
    private readonly results: LabResultStore,
    private readonly submissions: SubmissionStore,
    private readonly identity: PatientResolver,
    private readonly resolutions: PatientResolutions,
    private readonly vault: DemographicsVault,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    @InjectConfig() config: Pick<LabResultsConfig, 'lab'>,
  ) {
    this.retryMs = config.lab.pendingRetryMs;
    this.callTimeoutMs = config.lab.callTimeoutMs;
  }

  /** How long a visit being resolved is leased (out of the worker's reach). */
  leaseUntil(now: Date): Date {
    return new Date(now.getTime() + this.callTimeoutMs + LEASE_MARGIN_MS);
  }

  /** When a visit that failed `attempts` times (0: only its upload's own try) is tried next. */
  nextAttempt(now: Date, attempts: number): Date {
    return new Date(now.getTime() + this.retryMs * Math.min(2 ** attempts, MAX_BACKOFF_FACTOR));
  }

  /** The keyed fingerprint of what identity receives for this patient (PatientResolutions). */
  fingerprintOf(demographics: VisitDemographics): string {
    return this.vault.fingerprint(demographicsFingerprintContent(demographics));
  }

  /**
   * In the caller's unit of work, the visit locked: the versions the visit changes stored with their
   * `lab.result.v1` events, every report still waiting for the visit settled, audited for the patient.
   * A first generation reads nothing back: no result of a visit is stored before its first resolution.
   */
  async storeResults(tx: Tx, visit: ResolvedVisit): Promise<StoredResults> {
    const current = visit.generation === 1 ? [] : await this.results.currentOfVisit(tx, visit.facilityCode, visit.maLk);
    const plan = planVersions({
      current,
      lines: visit.lines,
      ...(visit.lineHashes === undefined ? {} : { lineHashes: visit.lineHashes }),
      enterprisePatientId: visit.enterprisePatientId,
      newResultId: uuidv7,
    });
    this.results.store(tx, visit.facilityCode, visit.maLk, plan.versions, visit.submissionId, visit.at);
    if (plan.versions.length > 0) this.outbox.append(tx, plan.versions.map(versionEvent));
    const outcome = plan.versions.length > 0 ? 'stored' : 'unchanged';
    this.submissions.settle(tx, visit.visitId, outcome, plan.counts, []);
    this.audit.append(tx, visit.actor, [
      {
        action: INGEST_ACTION,
        patientId: visit.enterprisePatientId,
        outcome,
        detail: { visitId: visit.visitId, submissionId: visit.submissionId, resolvedBy: visit.resolvedBy, ...plan.counts },
      },
    ]);
    return { outcome, counts: plan.counts };
  }

  async settle(visit: VisitToSettle): Promise<Settled> {
    const resolution = await this.identity.registerOrLink(visit.facilityCode, visit.demographics, `lab-visit-${visit.visitId}-${visit.generation}`);
    return this.uow.run(async (tx) => {
      const now = new Date();
      const stored = await this.visits.loadForResolution(tx, visit.visitId);
      if (stored === undefined || stored.status !== 'pending-patient' || stored.generation !== visit.generation) {
        // Resubmitted or settled meanwhile: whoever holds the newer state reports it.
        return { outcome: 'pending-patient', results: NO_RESULTS, errors: [], enterprisePatientId: null, retry: false };
      }
      switch (resolution.kind) {
        case 'resolved': {
          const { enterprisePatientId } = resolution;
          const { outcome, counts } = await this.storeResults(tx, {
            visitId: visit.visitId,
            facilityCode: stored.facilityCode,
            maLk: stored.maLk,
            generation: stored.generation,
            lines: stored.lines,
            enterprisePatientId,
            actor: visit.actor,
            submissionId: visit.submissionId,
            resolvedBy: 'identity',
            at: now,
          });
          this.visits.markResolved(tx, visit.visitId, enterprisePatientId, now);
          // The next visit of this patient with the same demographics resolves without asking identity.
          this.resolutions.record(tx, {
            facilityCode: stored.facilityCode,
            localId: visit.demographics.localId,
            enterprisePatientId,
            fingerprint: this.fingerprintOf(visit.demographics),
            at: now,
          });
          return { outcome, results: counts, errors: [], enterprisePatientId, retry: false };
        }
        case 'refused': {
          const errors = refusalIssues(resolution, visit.demographics);
          this.visits.markRejected(tx, visit.visitId, `identity ${resolution.status}: ${errors.map((e) => e.rule).join(', ')}`, now);
          this.submissions.settle(tx, visit.visitId, 'rejected', NO_RESULTS, errors);
          this.audit.append(tx, visit.actor, [
            { action: INGEST_ACTION, patientId: null, outcome: 'rejected', detail: { visitId: visit.visitId, submissionId: visit.submissionId, rules: errors.map((e) => e.rule) } },
          ]);
          return { outcome: 'rejected', results: NO_RESULTS, errors, enterprisePatientId: null, retry: false };
        }
        case 'unavailable': {
          this.visits.retryLater(tx, visit.visitId, this.nextAttempt(now, visit.attempts), resolution.reason, now);
          return { outcome: 'pending-patient', results: NO_RESULTS, errors: [], enterprisePatientId: null, retry: true };
        }
      }
    });
  }
}

/** identity's reasons, pointing at the XML1 fields they are about (relative to the visit). */
function refusalIssues(resolution: Extract<PatientResolution, { kind: 'refused' }>, demographics: VisitDemographics): VisitIssue[] {
  if (resolution.violations.length === 0) {
    return [{ pointer: '/xml1', rule: 'identity-refused', message: `identity-service refused the patient (${resolution.status}): ${resolution.detail}`, severity: 'error' }];
  }
  return resolution.violations.map((v) => ({ pointer: xml1PointerFor(demographics, v.pointer), rule: `identity.${v.rule}`, message: v.message, severity: 'error' as const }));
}

/** A visit-relative pointer (`/xml1/SO_CCCD`) as one into the file. */
export function inFile(index: number, issue: VisitIssue): VisitIssue {
  return { ...issue, pointer: `#/visits/${index}${issue.pointer}` };
}
