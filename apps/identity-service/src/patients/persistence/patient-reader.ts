import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
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
    let patient = await this.patients.findPatient(manager, id);
    // Merge chains are short (a survivor can itself be merged later); the bound stops a cycle.
    for (let hops = 0; patient && patient.status === 'merged' && patient.mergedInto !== null && hops < 10; hops += 1) {
      patient = await this.patients.findPatient(manager, patient.mergedInto);
    }
    if (!patient) return undefined;
    return this.load(manager, patient.id, patient.id === id ? undefined : id);
  }

  async load(manager: EntityManager, id: string, redirectedFrom?: string): Promise<ResolvedPatient | undefined> {
    const patient = await this.patients.findPatient(manager, id);
    if (!patient) return undefined;
    const [identifiers, links] = await Promise.all([this.patients.identifiersOf(manager, [id]), this.patients.linksOf(manager, id)]);
    const sensitiveFacilities = await this.sensitive.sensitiveAmong(manager, links.map((l) => l.facilityCode));
    return { facts: { patient, identifiers, links }, redirectedFrom, sensitiveFacilities };
  }
}
