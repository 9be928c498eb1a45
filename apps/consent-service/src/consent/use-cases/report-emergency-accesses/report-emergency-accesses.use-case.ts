import { AuditTrail, type Db, UnitOfWork } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { type ConsentAuditEntry } from '../../ports/audit-trail.port';
import { type EmergencyAccess, type EmergencyAccessFilter, EmergencyAccessStore } from '../../ports/emergency-access-store.port';
import { FacilityDirectory } from '../../ports/facility-directory.port';

export interface ReportEmergencyAccessesQuery {
  readonly actor: Actor;
  /** Accesses granted from this instant (inclusive)… */
  readonly from: Date;
  /** …to this one (exclusive). */
  readonly to: Date;
  readonly facilityCode?: string | undefined;
}

export interface EmergencyAccessView {
  readonly id: string;
  readonly enterprisePatientId: string;
  readonly clinicianId: string;
  readonly reason: string;
  readonly grantedAt: string;
  readonly expiresAt: string;
}

export interface FacilityEmergencyAccesses {
  readonly facilityCode: string;
  readonly count: number;
  readonly distinctPatients: number;
  readonly accesses: readonly EmergencyAccessView[];
}

export interface EmergencyAccessReport {
  readonly from: string;
  readonly to: string;
  readonly facilities: readonly FacilityEmergencyAccesses[];
  /** The listed accesses stop at MAX_REPORTED_ACCESSES (the counts never do): ask for a shorter period or one facility. */
  readonly truncated: boolean;
}

/** The most accesses one report lists; counts and distinct patients are always complete. */
export const MAX_REPORTED_ACCESSES = 10_000;

/**
 * Emergency accesses per facility over a period: how many, how many patients, and each access with
 * its clinician and reason. A facility sees only its own; a person sees every facility, or only
 * those of the province their token names (a provincial analyst always names one). The report names
 * patients, so reading it is audited: one row per patient listed (none: one row saying so).
 */
@Injectable()
export class ReportEmergencyAccessesUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly accesses: EmergencyAccessStore,
    private readonly facilities: FacilityDirectory,
    private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, from, to, facilityCode }: ReportEmergencyAccessesQuery): Promise<EmergencyAccessReport> {
    const asked = { from: from.toISOString(), to: to.toISOString(), ...(facilityCode !== undefined ? { facilityCode } : {}) };
    const answer = await this.uow.read(async (tx) => {
      const filter = await this.filterFor(tx, actor, from, to, facilityCode);
      if (filter === undefined) {
        this.audit.append(tx, actor, [{ action: 'emergency-access.report', patientId: null, outcome: 'denied', detail: asked }]);
        return undefined;
      }
      const summaries = await this.accesses.summarise(tx, filter);
      const listed = await this.accesses.list(tx, filter, MAX_REPORTED_ACCESSES + 1);
      const accesses = listed.slice(0, MAX_REPORTED_ACCESSES);
      this.audit.append(tx, actor, auditEntries(accesses, asked));
      return { summaries, accesses, truncated: listed.length > MAX_REPORTED_ACCESSES };
    });
    if (answer === undefined) {
      throw new ConsentError(ConsentErrorCode.Forbidden, 'This caller may not read emergency accesses of that facility.');
    }
    const byFacility = new Map<string, EmergencyAccessView[]>();
    for (const a of answer.accesses) {
      const list = byFacility.get(a.facilityCode) ?? [];
      if (list.length === 0) byFacility.set(a.facilityCode, list);
      list.push(view(a));
    }
    return {
      from: asked.from,
      to: asked.to,
      facilities: answer.summaries.map((s) => ({ ...s, accesses: byFacility.get(s.facilityCode) ?? [] })),
      truncated: answer.truncated,
    };
  }

  /** What the caller may see, narrowed by what it asked; undefined when it asked for a facility it may not see. */
  private async filterFor(db: Db, actor: Actor, from: Date, to: Date, facilityCode: string | undefined): Promise<EmergencyAccessFilter | undefined> {
    if (actor.kind !== 'person') {
      const own = actingFacility(actor);
      if (own === undefined) throw new ConsentError(ConsentErrorCode.FacilityRequired, 'The report is read by a facility (its own accesses) or a person.');
      return facilityCode === undefined || facilityCode === own ? { from, to, facilityCode: own } : undefined;
    }
    const provinceCode = actor.province;
    if (provinceCode === undefined || facilityCode === undefined) return { from, to, facilityCode, provinceCode };
    const profile = (await this.facilities.profiles(db, [facilityCode])).get(facilityCode);
    return profile?.provinceCode === provinceCode ? { from, to, facilityCode, provinceCode } : undefined;
  }
}

function view(a: EmergencyAccess): EmergencyAccessView {
  return {
    id: a.id,
    enterprisePatientId: a.enterprisePatientId,
    clinicianId: a.clinicianId,
    reason: a.reason,
    grantedAt: a.grantedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
  };
}

function auditEntries(accesses: readonly EmergencyAccess[], asked: Readonly<Record<string, string>>): ConsentAuditEntry[] {
  const perPatient = new Map<string, number>();
  for (const a of accesses) perPatient.set(a.enterprisePatientId, (perPatient.get(a.enterprisePatientId) ?? 0) + 1);
  if (perPatient.size === 0) return [{ action: 'emergency-access.report', patientId: null, outcome: 'ok', detail: { ...asked, accesses: 0 } }];
  return [...perPatient].map(([enterprisePatientId, n]) => ({ action: 'emergency-access.report', patientId: enterprisePatientId, outcome: 'ok', detail: { ...asked, accesses: n } }));
}
