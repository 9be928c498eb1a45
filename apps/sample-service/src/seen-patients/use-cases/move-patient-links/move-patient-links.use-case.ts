import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type FacilityLink, linkMove } from '../../domain/seen-patient';
import { SeenPatientRepository } from '../../ports/seen-patient.repository';

export interface MovePatientLinksCommand {
  readonly from: string;
  readonly to: string;
  readonly links: readonly FacilityLink[];
  readonly movedAt: Date;
}

/** A merge (links move to the survivor) or an unmerge (they move back to the restored patient). */
@Injectable()
export class MovePatientLinksUseCase {
  constructor(private readonly patients: SeenPatientRepository) {}

  /** Throws SeenPatientsError(SamePatient) when both patients are the same. */
  execute(command: MovePatientLinksCommand, tx: Tx): void {
    const move = linkMove(command.from, command.to, command.links);
    if (move.links.length > 0) this.patients.moveLinks(tx, move, command.movedAt);
  }
}
