import { UnitOfWork } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type SeenPatient } from '../../domain/seen-patient';
import { SeenPatientRepository } from '../../ports/seen-patient.repository';

export interface ListSeenPatientsQuery {
  readonly facilityCode: string;
  readonly limit: number;
}

/** The patients a facility is known to hold, by local id. */
@Injectable()
export class ListSeenPatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: SeenPatientRepository,
  ) {}

  execute(query: ListSeenPatientsQuery): Promise<SeenPatient[]> {
    return this.uow.read((db) => this.patients.listAtFacility(db, query.facilityCode, query.limit));
  }
}
