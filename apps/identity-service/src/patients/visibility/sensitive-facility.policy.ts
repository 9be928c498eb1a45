import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/**
 * Which facilities' involvement is itself sensitive (an HIV clinic, a mental hospital). Read
 * through this port so the patient side does not depend on how the facility registry stores it.
 */
export abstract class SensitiveFacilityPolicy {
  abstract sensitiveAmong(manager: EntityManager, facilityCodes: readonly string[]): Promise<ReadonlySet<string>>;
}

/** Reads the facility registry's `facilities(code, sensitive)` table in the same database. */
@Injectable()
export class RegistrySensitiveFacilityPolicy extends SensitiveFacilityPolicy {
  async sensitiveAmong(manager: EntityManager, facilityCodes: readonly string[]): Promise<ReadonlySet<string>> {
    if (facilityCodes.length === 0) return new Set();
    const rows: { code: string }[] = await manager.query(
      `SELECT code FROM facilities WHERE code = ANY($1::varchar[]) AND sensitive`,
      [[...new Set(facilityCodes)]],
    );
    return new Set(rows.map((r) => r.code));
  }
}
