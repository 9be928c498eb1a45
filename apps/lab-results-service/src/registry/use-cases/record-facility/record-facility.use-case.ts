import { type Tx } from '@lienthong/persistence';
import { type FacilityLevel, parseLabQualityLevel } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { FacilityLabs } from '../../ports/facility-labs.port';

/** A facility as identity's registry announces it (`identity.facility.v1`: the lab quality level as its wire string). */
export interface RecordFacilityCommand {
  readonly code: string;
  readonly level: FacilityLevel;
  readonly provinceCode: string;
  readonly labQualityLevel: string;
  readonly iso15189Scope: readonly string[];
  readonly sensitive: boolean;
  readonly version: number;
}

/**
 * identity-service's registry changed a facility: keep what the reuse rules need (level, province,
 * lab quality level, ISO 15189 scope, sensitivity) under the registry's version, so a late older
 * event never wins. Not patient data: nothing to audit.
 */
@Injectable()
export class RecordFacilityUseCase {
  constructor(private readonly facilities: FacilityLabs) {}

  /** Throws LabResultError(Validation) for a lab quality level vn-standards does not know. */
  execute(command: RecordFacilityCommand, tx: Tx): void {
    const labQualityLevel = parseLabQualityLevel(command.labQualityLevel);
    if (labQualityLevel === undefined) {
      throw new LabResultError(LabResultErrorCode.Validation, 'Unknown lab quality level.', [
        { pointer: '#/labQualityLevel', rule: 'enum', message: "expected 'unrated' or 1..5" },
      ]);
    }
    const { code, level, provinceCode, sensitive, version } = command;
    // One code per scope entry, in a stable order: the same registry row always stores the same array.
    const iso15189Scope = [...new Set(command.iso15189Scope.map((c) => c.trim()).filter((c) => c.length > 0))].sort();
    this.facilities.upsert(tx, { code, level, provinceCode, labQualityLevel, iso15189Scope, sensitive, version });
  }
}
