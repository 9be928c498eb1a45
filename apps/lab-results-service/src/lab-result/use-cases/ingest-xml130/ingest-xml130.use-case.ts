import { AuditTrail, advisoryLockKey, UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { readXml130, Xml130StreamError, type Xml130Input, type Xml130Issue, type Xml130Visit } from '@lienthong/xml130';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RULE_SETS } from '../../../config/rule-sets/load-rule-sets';
import { type RuleSet } from '../../../reuse/domain/catalogue';
import { canonicaliseVisit } from '../../domain/canonical-result';
import { demographicsOf, visitContext } from '../../domain/demographics';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';
import { canonicalJson, contentHash as lineContentHash } from '../../domain/versioning';
import { DemographicsVault } from '../../ports/demographics-vault.port';
import { SubmissionStore, type VisitIssue, type VisitReport } from '../../ports/submission-store.port';
import { VisitStore } from '../../ports/visit-store.port';
import { INGEST_ACTION, inFile, NO_RESULTS, VisitSettlement } from '../visit-settlement';

export interface IngestXml130Command {
  readonly actor: Actor;
  /** The uploaded file as it streams in (or whole). */
  readonly file: Xml130Input;
}

export interface IngestAnswer {
  readonly submissionId: string;
  readonly visits: readonly VisitReport[];
}

/** Visits of one file worked on at once (their identity calls and units of work overlap); the answer keeps file order. */
export const VISITS_IN_FLIGHT = 4;

const issueOf = (i: Xml130Issue): VisitIssue => ({ pointer: i.pointer, rule: i.rule, message: i.message, severity: i.severity });

/**
 * `POST /v1/xml130`: a facility's XML 130 file, read as it streams (@lienthong/xml130), visit by visit
 * (HOSO, keyed by MA_LK) — the unit of atomicity — up to VISITS_IN_FLIGHT at a time (visits of one
 * MA_LK one after the other, in file order):
 * - an invalid visit (the reader's errors, or XML1 MA_CSKCB not the facility the caller speaks for) is
 *   rejected with its errors and writes nothing but its line in the submission's report;
 * - a valid visit is canonicalised (XML4 joined to XML3, catalogue, values, UCUM); unless it is resolved
 *   already with exactly this content (`unchanged`: nothing written, nothing announced):
 *   - its patient already known — identity answered for this (facility, MA_BN) when sent demographics
 *     with the same fingerprint, and has merged or relinked nothing since (PatientResolutions) — it is
 *     stored in ONE unit of work: no call to identity, no demographics sealed, audited as ever;
 *   - otherwise it is stored durably as waiting for its patient (demographics encrypted) and identity is
 *     asked at once (VisitSettlement): stored, rejected by identity, or still `pending-patient` for the
 *     retry worker.
 * The answer lists every visit's outcome in file order; `GET /v1/submissions/{id}` shows them later as
 * they resolve. A stream that stops being XML is a 400 with the position (visits before it are kept).
 */
@Injectable()
export class IngestXml130UseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly visits: VisitStore,
    private readonly submissions: SubmissionStore,
    private readonly vault: DemographicsVault,
    private readonly settlement: VisitSettlement,
    private readonly audit: AuditTrail,
    @Inject(RULE_SETS) private readonly ruleSets: readonly RuleSet[],
  ) {}

  async execute(command: IngestXml130Command): Promise<IngestAnswer> {
    const facilityCode = requireActingFacility(command.actor);
    const submission = { submissionId: uuidv7(), facilityCode, submittedBy: command.actor.subject, receivedAt: new Date() };
    // The submission row is written once its first visit has been read: a body that is not XML leaves nothing behind.
    let recorded = false;
    const reports: (VisitReport | undefined)[] = [];
    const inFlight = new Set<Promise<void>>();
    /** The last visit of each MA_LK still in flight: a later visit of the same MA_LK waits for it. */
    const byMaLk = new Map<string, Promise<void>>();
    let failure: { error: unknown } | undefined;
    let streamError: unknown;
    try {
      for await (const visit of readXml130(command.file, { requireTables: ['xml1'] })) {
        if (!recorded) {
          // One statement, atomic on its own: no transaction around it.
          await this.uow.read(async (db) => this.submissions.create(db, submission));
          recorded = true;
        }
        while (inFlight.size >= VISITS_IN_FLIGHT) await Promise.race(inFlight);
        if (failure !== undefined) break;
        const slot = reports.push(undefined) - 1;
        const before = visit.maLk === undefined ? undefined : byMaLk.get(visit.maLk);
        const work: Promise<void> = (async () => {
          await before;
          reports[slot] = await this.ingestVisit(command.actor, facilityCode, submission.submissionId, visit);
        })().catch((error: unknown) => {
          failure ??= { error };
        });
        const tracked = work.finally(() => {
          inFlight.delete(tracked);
          if (visit.maLk !== undefined && byMaLk.get(visit.maLk) === tracked) byMaLk.delete(visit.maLk);
        });
        inFlight.add(tracked);
        if (visit.maLk !== undefined) byMaLk.set(visit.maLk, tracked);
      }
    } catch (error) {
      streamError = error;
    }
    // Whatever happens next, every visit already started finishes first (its unit of work is its own).
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    const done = reports.filter((r): r is VisitReport => r !== undefined);
    if (streamError !== undefined) {
      if (!(streamError instanceof Xml130StreamError)) throw streamError;
      const at = streamError.visitIndex === undefined ? '#' : `#/visits/${streamError.visitIndex}`;
      throw new LabResultError(
        LabResultErrorCode.UnreadableFile,
        `The file stops being readable XML 130 at line ${streamError.line}, column ${streamError.column}${done.length > 0 ? `; the ${done.length} visit(s) before it were processed` : ''}.`,
        [{ pointer: at, rule: 'xml', message: streamError.message }],
        {
          line: streamError.line,
          column: streamError.column,
          offset: streamError.offset,
          visitIndex: streamError.visitIndex ?? null,
          submissionId: recorded ? submission.submissionId : null,
          visits: done,
        },
      );
    }
    return { submissionId: submission.submissionId, visits: done };
  }

  private async ingestVisit(actor: Actor, facilityCode: string, submissionId: string, visit: Xml130Visit): Promise<VisitReport> {
    const { index } = visit;
    const maLk = visit.maLk ?? null;
    const xml1 = visit.tables.xml1;
    const issues = visit.errors.map(issueOf);
    if (xml1?.maCskcb !== undefined && xml1.maCskcb !== facilityCode) {
      issues.push({
        pointer: `#/visits/${index}/xml1/MA_CSKCB`,
        rule: 'facility-mismatch',
        message: `MA_CSKCB ${xml1.maCskcb} is not the facility this request speaks for (${facilityCode})`,
        severity: 'error',
      });
    }
    const demographics = xml1 === undefined ? undefined : demographicsOf(xml1);
    if (!visit.valid || maLk === null || demographics === undefined || issues.some((i) => i.severity === 'error')) {
      const report: VisitReport = { index, maLk, outcome: 'rejected', results: NO_RESULTS, errors: issues };
      // Its report line and its audit row go as one statement, atomic without a transaction.
      await this.uow.read(async (db) => {
        this.submissions.recordVisit(db, submissionId, report, null);
        this.audit.append(db, actor, [{ action: INGEST_ACTION, patientId: null, outcome: 'rejected', detail: { submissionId, visitIndex: index, rules: issues.filter((i) => i.severity === 'error').map((i) => i.rule) } }]);
      });
      return report;
    }

    const now = new Date();
    const canonical = canonicaliseVisit({ index, maLk, facilityCode, xml3: visit.tables.xml3, xml4: visit.tables.xml4 }, this.ruleSets, now.getTime());
    const warnings = [...issues, ...canonical.warnings];
    // Each line's hash once: the visit's content is its demographics and its lines' hashes.
    const lineHashes = canonical.lines.map(lineContentHash);
    const contentHash = this.vault.fingerprint(canonicalJson({ demographics, lines: lineHashes }));
    const fingerprint = this.settlement.fingerprintOf(demographics);
    const context = visitContext(facilityCode, maLk);

    const accepted = await this.uow.run(
      async (tx) => {
        const { head, knownPatientId: known } = await this.visits.lock(tx, facilityCode, maLk, { localId: demographics.localId, fingerprint });
        if (head?.status === 'resolved' && head.contentHash === contentHash) {
          const report: VisitReport = { index, maLk, outcome: 'unchanged', results: { ...NO_RESULTS, unchanged: canonical.lines.length }, errors: warnings };
          this.submissions.recordVisit(tx, submissionId, report, head.visitId);
          this.audit.append(tx, actor, [{ action: INGEST_ACTION, patientId: head.enterprisePatientId, outcome: 'unchanged', detail: { visitId: head.visitId, submissionId, unchanged: canonical.lines.length } }]);
          return { kind: 'done' as const, report };
        }
        const visitId = head?.visitId ?? uuidv7();
        const generation = (head?.generation ?? 0) + 1;
        const visitRow = { visitId, facilityCode, maLk, lines: canonical.lines, contentHash, generation, at: now };

        if (known !== undefined) {
          // The patient is already known and nothing identity needs has changed: resolved here and now.
          this.visits.accept(tx, { ...visitRow, state: { status: 'resolved', enterprisePatientId: known } });
          const stored = await this.settlement.storeResults(tx, { ...visitRow, lineHashes, enterprisePatientId: known, actor, submissionId, resolvedBy: 'known-patient' });
          const report: VisitReport = { index, maLk, outcome: stored.outcome, results: stored.counts, errors: warnings };
          this.submissions.recordVisit(tx, submissionId, report, visitId);
          return { kind: 'done' as const, report };
        }

        this.visits.accept(tx, { ...visitRow, state: { status: 'pending-patient', demographics: this.vault.seal(demographics, context), nextAttemptAt: this.settlement.leaseUntil(now) } });
        this.submissions.recordVisit(tx, submissionId, { index, maLk, outcome: 'pending-patient', results: NO_RESULTS, errors: warnings }, visitId);
        this.audit.append(tx, actor, [{ action: INGEST_ACTION, patientId: head?.enterprisePatientId ?? null, outcome: 'accepted', detail: { visitId, submissionId, lines: canonical.lines.length } }]);
        return { kind: 'accepted' as const, visitId, generation };
      },
      { locks: [advisoryLockKey('lab-visit', context)] },
    );
    if (accepted.kind === 'done') return accepted.report;

    const settled = await this.settlement.settle({ visitId: accepted.visitId, generation: accepted.generation, facilityCode, demographics, attempts: 0, actor, submissionId });
    return { index, maLk, outcome: settled.outcome, results: settled.results, errors: [...warnings, ...settled.errors.map((e) => inFile(index, e))] };
  }
}
