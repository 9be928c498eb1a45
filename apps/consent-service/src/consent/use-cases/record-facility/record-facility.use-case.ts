import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { FacilityDirectory, type FacilityRecord } from '../../ports/facility-directory.port';

/**
 * identity-service's registry changed a facility: keep what grantees and decisions need (level,
 * province, sensitivity) under the registry's version, so a late older event never wins.
 */
@Injectable()
export class RecordFacilityUseCase {
  constructor(private readonly facilities: FacilityDirectory) {}

  execute(facility: FacilityRecord, tx: Tx): void {
    const { code, level, provinceCode, sensitive, version } = facility;
    this.facilities.upsert(tx, { code, level, provinceCode, sensitive, version });
  }
}
