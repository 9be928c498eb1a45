import { type Decision, type LabResult, LabReuseCheckedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { type AuditEntry, AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RULE_SETS } from '../../../config/rule-sets/load-rule-sets';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { type FacilityLab } from '../../../registry/domain/facility-lab';
import { FacilityLabs } from '../../../registry/ports/facility-labs.port';
import { PatientLinks } from '../../../registry/ports/patient-links.port';
import { type RuleSet } from '../../domain/catalogue';
import { type LabProfile } from '../../domain/reuse';
import { evaluateReuseCheck, planReuseCheck, type ReuseCheckPlan, storedResultOf } from '../../domain/reuse-check';
import { ConsentDecisions } from '../../ports/consent-decisions.port';
import { PatientLookup } from '../../ports/patient-lookup.port';
import { type PatientGivenAs, ReuseChecks, type StoredCheck, type StoredCheckTest } from '../../ports/reuse-checks.port';
import { type LineCodes, ReuseResults } from '../../ports/reuse-results.port';

/** How the requester names the patient: its enterprise id, its CCCD, or a local id (the requester's own by default). */
export type PatientReference = { readonly enterprisePatientId: string } | { readonly cccd: string } | { readonly facility?: string | undefined; readonly localId: string };

/** The purposes a reuse check serves: care of the patient in front of the doctor. */
export type ReuseCheckPurpose = Extract<PurposeOfUse, 'treatment' | 'emergency' | 'referral'>;

export interface RunReuseCheckCommand {
  readonly actor: Actor;
  readonly patient: PatientReference;
  readonly purpose: ReuseCheckPurpose;
  /** Catalogue codes, MoH indicator codes or service codes (1..50). */
  readonly testCodes: readonly string[];
  /** The time the check is about (default now): the rule set in effect then, windows counted to then. */
  readonly at?: Date | undefined;
}

/** A candidate's result as the requester sees it with the check's answer (once: the stored check keeps no values). */
export interface CandidateDetail {
  readonly result: LabResult;
  /** The performing facility's lab as the registry rates it (undefined if the registry does not know it). */
  readonly lab: FacilityLab | undefined;
}

export interface ReuseCheckAnswer {
  readonly check: StoredCheck;
  /** By test code, for the tests answered REUSE_CANDIDATE. */
  readonly candidates: ReadonlyMap<string, CandidateDetail>;
}

const invalid = (pointer: string, rule: string, message: string) => new LabResultError(LabResultErrorCode.Validation, message, [{ pointer, rule, message }]);

/**
 * "Reuse this result, or re-test?" for a patient, a requesting facility (the caller's), a purpose and
 * tests. The rule set in effect at `at`; the patient found (a CCCD or local id through identity, as
 * this service acting for the requester); the patient's stored results, the labs' quality from the
 * registry copy; consent asked in ONE batch call with each test's category (a deny, or no answer, is
 * consent-denied), overlapping the results read; each test judged by the domain's rules. The check, its outcomes with the rule-set
 * version, its `lab.reuse.v1` event (no values) and its audit row commit together, before the answer
 * — the candidates' results, shown once — leaves.
 *
 * A `referral` needs the requester's own link to the patient (registry's patient_links). Results a
 * sensitive facility performed are weighed only for that facility itself: anyone else would learn
 * the patient was there.
 */
@Injectable()
export class RunReuseCheckUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly results: ReuseResults,
    private readonly checks: ReuseChecks,
    private readonly patients: PatientLinks,
    private readonly facilities: FacilityLabs,
    private readonly lookup: PatientLookup,
    private readonly consent: ConsentDecisions,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    @Inject(RULE_SETS) private readonly ruleSets: readonly RuleSet[],
  ) {}

  async execute(command: RunReuseCheckCommand): Promise<ReuseCheckAnswer> {
    const requester = requireActingFacility(command.actor);
    const checkedAt = new Date();
    const at = command.at ?? checkedAt;
    const plan = planReuseCheck(this.ruleSets, at.getTime(), command.testCodes);
    if (plan === undefined) throw invalid('#/at', 'no-rule-set', `no reuse rule set was in effect at ${at.toISOString()}`);

    const asked = await this.patientAsked(command, requester);
    const codes = lineCodesOf(plan);
    // Consent is asked while the results are read (it needs only the patient's id): the two round trips overlap.
    const consentAsked = this.permittedCategories(asked.id, requester, command.purpose, plan.consentCategories);
    const reading = this.uow.read(async (db) => {
      const patientId = await this.patients.resolve(db, asked.id);
      const stored = codes.mohIndicatorCodes.length + codes.serviceCodes.length === 0 ? [] : await this.results.latestOfPatient(db, patientId, codes);
      if (stored.length === 0 && asked.by === 'enterprise-id' && (await this.patients.known(db, [asked.id])).size === 0) {
        throw new LabResultError(LabResultErrorCode.UnknownPatient, 'no such patient', [
          { pointer: '#/patient/enterprisePatientId', rule: 'unknown-patient', message: 'no patient is known by this enterprise id' },
        ]);
      }
      if (command.purpose === 'referral' && !(await this.patients.hasLink(db, patientId, requester))) {
        throw new LabResultError(
          LabResultErrorCode.NoCareRelationship,
          `a referral check needs the requesting facility’s own link to the patient (registered at ${requester}); register the patient first, or check for treatment`,
        );
      }
      const labs = await this.facilities.profiles(db, [...new Set([requester, ...stored.map((r) => r.performingFacility)])]);
      return { patientId, stored, labs };
    });
    const [facts, permittedAsAsked] = await Promise.all([reading, consentAsked]);
    // A merged id is resolved to its survivor here; consent is then asked about the survivor, as the results are.
    const permitted = facts.patientId === asked.id ? permittedAsAsked : await this.permittedCategories(facts.patientId, requester, command.purpose, plan.consentCategories);
    const visible = facts.stored.filter((r) => r.performingFacility === requester || facts.labs.get(r.performingFacility)?.sensitive !== true).map(storedResultOf);
    const labProfiles = new Map<string, LabProfile>([...facts.labs].map(([code, lab]) => [code, { labQualityLevel: lab.labQualityLevel, iso15189Scope: lab.iso15189Scope }]));
    const outcome = evaluateReuseCheck(plan, { results: visible, requesterLevel: facts.labs.get(requester)?.labQualityLevel ?? 'unrated', labs: labProfiles, permitted });

    const checkId = uuidv7();
    const candidates = new Map<string, CandidateDetail>();
    const tests: StoredCheckTest[] = outcome.tests.map((t, position) => {
      const common = { position, testCode: t.testCode, askedAs: t.askedAs, catalogueCode: t.test?.code ?? null, consentCategory: t.test?.consentCategory ?? null, priceVnd: t.priceVnd };
      if (t.verdict.outcome === 'REPEAT_REQUIRED') {
        return { ...common, outcome: 'REPEAT_REQUIRED', reason: t.verdict.reason, resultId: null, resultVersion: null, performingFacility: null, validUntil: null, windowFrom: null };
      }
      const { result, validUntil, windowFrom } = t.verdict;
      candidates.set(t.testCode, { result: result.canonical, lab: facts.labs.get(result.performingFacility) });
      return {
        ...common,
        outcome: 'REUSE_CANDIDATE',
        reason: null,
        resultId: result.resultId,
        resultVersion: result.version,
        performingFacility: result.performingFacility,
        validUntil: new Date(validUntil),
        windowFrom,
      };
    });
    const check: StoredCheck = {
      checkId,
      enterprisePatientId: facts.patientId,
      requestingFacility: requester,
      purpose: command.purpose,
      ruleSetVersion: outcome.ruleSetVersion,
      at,
      checkedAt,
      requestedBy: command.actor.subject,
      patientGivenAs: asked.by,
      tests,
    };

    await this.uow.run(async (tx) => {
      this.checks.insert(tx, check);
      this.outbox.append(tx, [outboxEvent(LabReuseCheckedV1, checkedEvent(check))]);
      // The audit row names the check's purpose (the body's), whatever the X-Purpose-Of-Use header said.
      this.audit.append(tx, { ...command.actor, purposeOfUse: command.purpose }, [auditEntry(check)]);
    });
    return { check, candidates };
  }

  /** The enterprise id the request names: as given, or as identity answers for the requester (422 `#/patient` when it knows none). */
  private async patientAsked(command: RunReuseCheckCommand, requester: string): Promise<{ id: string; by: PatientGivenAs }> {
    const patient = command.patient;
    if ('enterprisePatientId' in patient) return { id: patient.enterprisePatientId.toLowerCase(), by: 'enterprise-id' };
    if ('cccd' in patient) {
      const id = await this.lookup.find({ by: 'cccd', cccd: patient.cccd }, requester, command.purpose);
      if (id === undefined) throw unknownPatient('no patient with this CCCD is known to the requesting facility');
      return { id, by: 'cccd' };
    }
    if (patient.facility !== undefined && patient.facility !== requester) {
      throw invalid('#/patient/facility', 'own-facility', `only the requesting facility’s own local ids can be looked up (${requester})`);
    }
    const id = await this.lookup.find({ by: 'local-id', facilityCode: requester, localId: patient.localId }, requester, command.purpose);
    if (id === undefined) throw unknownPatient(`no patient is registered at ${requester} under this local id`);
    return { id, by: 'local-id' };
  }

  /** ONE batch call, one query per category; only a plain permit counts (a deny, `consent-unavailable`, or a permit excluding the category do not). */
  private async permittedCategories(patientId: string, requester: string, purpose: PurposeOfUse, categories: readonly DataCategory[]): Promise<Set<DataCategory>> {
    if (categories.length === 0) return new Set();
    const decisions = await this.consent.decideMany(categories.map((category) => ({ enterprisePatientId: patientId, facilityCode: requester, category, purpose })));
    return new Set(categories.filter((category, i) => permits(decisions[i], category)));
  }
}

function permits(decision: Decision | undefined, category: DataCategory): boolean {
  return decision?.decision === 'permit' && !decision.obligations.some((o) => o.code === 'exclude-categories' && o.categories.includes(category));
}

function unknownPatient(message: string): LabResultError {
  return new LabResultError(LabResultErrorCode.UnknownPatient, 'no such patient', [{ pointer: '#/patient', rule: 'unknown-patient', message }]);
}

/** The source-line codes of the plan's known tests: what the results read is narrowed to. */
function lineCodesOf(plan: ReuseCheckPlan): LineCodes {
  const known = plan.tests.flatMap((t) => (t.test === undefined ? [] : [t.test]));
  return { mohIndicatorCodes: [...new Set(known.flatMap((t) => t.mohIndicatorCodes))], serviceCodes: [...new Set(known.flatMap((t) => t.serviceCodes))] };
}

/** `lab.reuse.v1` checked: outcomes and candidates' identities, never a value. */
function checkedEvent(check: StoredCheck) {
  return {
    checkId: check.checkId,
    enterprisePatientId: check.enterprisePatientId,
    requestingFacility: check.requestingFacility,
    purpose: check.purpose,
    ruleSetVersion: check.ruleSetVersion,
    checkedAt: check.checkedAt.toISOString(),
    tests: check.tests.map((t) => ({
      testCode: t.testCode,
      outcome: t.outcome,
      reason: t.reason,
      candidate:
        t.resultId === null || t.resultVersion === null || t.performingFacility === null || t.validUntil === null
          ? null
          : { resultId: t.resultId, version: t.resultVersion, performingFacility: t.performingFacility, validUntil: t.validUntil.toISOString() },
      priceVnd: t.priceVnd,
    })),
  };
}

function auditEntry(check: StoredCheck): AuditEntry {
  const disclosed = check.tests.flatMap((t) => (t.resultId === null ? [] : [t.resultId]));
  return {
    action: 'reuse-check.run',
    patientId: check.enterprisePatientId,
    outcome: 'ok',
    detail: {
      checkId: check.checkId,
      purpose: check.purpose,
      ruleSetVersion: check.ruleSetVersion,
      patientGivenAs: check.patientGivenAs,
      tests: check.tests.length,
      candidates: disclosed.length,
      disclosedResults: disclosed,
    },
  };
}
