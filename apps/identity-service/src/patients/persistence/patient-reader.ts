import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { SensitiveFacilityPolicy } from '../visibility/sensitive-facility.policy';
import { type PatientFacts } from '../visibility/patient-view';
import { PatientRepository } from './patient.repository';

export interface ResolvedPatient {
  readonly facts: PatientFacts;
  /** The id asked for, when it was merged and we followed it to the survivor. */
  readonly redirectedFrom: string | undefined;
  readonly sensitiveFacilities: ReadonlySet<string>;
}

/** Loads a patient with identifiers and links, following merges to the survivor. */
@Injectable()
export class PatientReader {
  constructor(
    private readonly patients: PatientRepository,
    private readonly sensitive: SensitiveFacilityPolicy,
  ) {}

  async resolve(manager: EntityManager, id: string): Promise<ResolvedPatient | undefined> {
    return (await this.resolveMany(manager, [id]))[0];
  }

  /**
   * `resolve` for several ids (answers in the same order): the merge chains, patients, identifiers
   * and links in ONE statement, plus one sensitive-facility check for all of them. Merge chains are
   * followed at most 10 hops (the bound stops a cycle); a chain ending at a missing row resolves to
   * nothing.
   */
  async resolveMany(manager: EntityManager, ids: readonly string[]): Promise<(ResolvedPatient | undefined)[]> {
    if (ids.length === 0) return [];
    const resolved = await this.withSensitivity(manager, await this.patients.resolveFacts(manager, ids));
    const byAsked = new Map(resolved.map((r) => [r.asked, r.resolved]));
    return ids.map((asked) => byAsked.get(asked));
  }

  /**
   * Every patient holding the identifier (any status; blind index), each resolved as `resolve` does,
   * ordered by the id the identifier points at: one statement plus the sensitive-facility check.
   */
  async resolveByIdentifier(manager: EntityManager, system: IdentifierSystem, blindIndex: Buffer): Promise<ResolvedPatient[]> {
    const resolved = await this.withSensitivity(manager, await this.patients.resolveFacts(manager, { system, blindIndex }));
    return resolved.map((r) => r.resolved);
  }

  private async withSensitivity(
    manager: EntityManager,
    rows: Awaited<ReturnType<PatientRepository['resolveFacts']>>,
  ): Promise<{ asked: string; resolved: ResolvedPatient }[]> {
    if (rows.length === 0) return [];
    const sensitiveFacilities = await this.sensitive.sensitiveAmong(
      manager,
      rows.flatMap((r) => r.links.map((l) => l.facilityCode)),
    );
    return rows.map((r) => {
      const codes = new Set(r.links.map((l) => l.facilityCode));
      return {
        asked: r.asked,
        resolved: {
          facts: { patient: r.patient, identifiers: r.identifiers, links: r.links },
          redirectedFrom: r.patient.id === r.asked ? undefined : r.asked,
          sensitiveFacilities: new Set([...sensitiveFacilities].filter((c) => codes.has(c))),
        },
      };
    });
  }

  async load(manager: EntityManager, id: string, redirectedFrom?: string): Promise<ResolvedPatient | undefined> {
    const patient = await this.patients.findPatient(manager, id);
    if (!patient) return undefined;
    const [identifiers, links] = await Promise.all([this.patients.identifiersOf(manager, [id]), this.patients.linksOf(manager, id)]);
    const sensitiveFacilities = await this.sensitive.sensitiveAmong(manager, links.map((l) => l.facilityCode));
    return { facts: { patient, identifiers, links }, redirectedFrom, sensitiveFacilities };
  }
}
