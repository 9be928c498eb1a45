import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { type Facility } from '../../domain/facility';
import { FacilityRegistry } from '../../ports/facility-registry.port';

@Injectable()
export class GetFacilityUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: FacilityRegistry,
  ) {}

  async execute(code: string): Promise<Facility> {
    const facility = await this.uow.read((db) => this.registry.find(db, code));
    if (!facility) throw new IdentityError(IdentityErrorCode.FacilityNotFound, `no facility ${code}`);
    return facility;
  }
}
