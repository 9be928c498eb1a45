import { Injectable } from '@nestjs/common';
import { type Db, type Tx } from '@lienthong/persistence';
import { type Facility, type FacilityInput } from '../../domain/facility';
import { FacilityRegistry, type FacilityFilter } from '../../ports/facility-registry.port';
import { SensitiveFacilities } from '../../../patients/ports/sensitive-facilities.port';

interface FacilityRow {
  code: string;
  name: string;
  province_code: string;
  level: Facility['level'];
  historical_tier: Facility['historicalTier'];
  lab_quality_level: Facility['labQualityLevel'];
  iso15189_scope: string[];
  sensitive: boolean;
  synthetic: boolean;
  valid_from: string;
  valid_to: string | null;
  version: number;
  updated_at: Date;
}

// Dates as text: a `date` column must not travel through a JS Date (time zones shift it).
const COLUMNS = `code, name, province_code, level, historical_tier, lab_quality_level, iso15189_scope, sensitive, synthetic,
  valid_from::text AS valid_from, valid_to::text AS valid_to, version, updated_at`;

function toFacility(r: FacilityRow): Facility {
  return {
    code: r.code,
    name: r.name,
    provinceCode: r.province_code,
    level: r.level,
    historicalTier: r.historical_tier,
    labQualityLevel: r.lab_quality_level,
    iso15189Scope: r.iso15189_scope,
    sensitive: r.sensitive,
    synthetic: r.synthetic,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    version: r.version,
    updatedAt: r.updated_at,
  };
}

@Injectable()
export class FacilityRepository extends FacilityRegistry {
  async find(db: Db, code: string): Promise<Facility | undefined> {
    const [row] = await db.query<FacilityRow>(`SELECT ${COLUMNS} FROM facilities WHERE code = $1`, [code]);
    return row ? toFacility(row) : undefined;
  }

  async lockForChange(tx: Tx, code: string): Promise<Facility | undefined> {
    const [row] = await tx.query<FacilityRow>(`SELECT ${COLUMNS} FROM facilities WHERE code = $1 FOR UPDATE`, [code]);
    return row ? toFacility(row) : undefined;
  }

  async list(db: Db, f: FacilityFilter): Promise<Facility[]> {
    const rows = await db.query<FacilityRow>(
      `SELECT ${COLUMNS} FROM facilities
        WHERE ($1::char(2) IS NULL OR province_code = $1) AND ($2::varchar IS NULL OR level = $2) AND ($3::varchar IS NULL OR code > $3)
        ORDER BY code LIMIT $4`,
      [f.provinceCode ?? null, f.level ?? null, f.after ?? null, f.limit],
    );
    return rows.map(toFacility);
  }

  saveVersion(tx: Tx, f: Facility, snapshot: FacilityInput, changedBy: string): void {
    tx.write(
      (p) =>
        `INSERT INTO facilities (code, name, province_code, level, historical_tier, lab_quality_level, iso15189_scope, sensitive, synthetic, valid_from, valid_to, version, updated_at)
         VALUES (${p(f.code)}, ${p(f.name)}, ${p(f.provinceCode)}, ${p(f.level)}, ${p(f.historicalTier)}, ${p(f.labQualityLevel)}, ${p(f.iso15189Scope)}::text[],
                 ${p(f.sensitive)}, ${p(f.synthetic)}, ${p(f.validFrom)}::date, ${p(f.validTo)}::date, ${p(f.version)}::int, ${p(f.updatedAt)}::timestamptz)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, province_code = EXCLUDED.province_code, level = EXCLUDED.level,
           historical_tier = EXCLUDED.historical_tier, lab_quality_level = EXCLUDED.lab_quality_level, iso15189_scope = EXCLUDED.iso15189_scope,
           sensitive = EXCLUDED.sensitive, synthetic = EXCLUDED.synthetic, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
           version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    );
    tx.write(
      (p) =>
        `INSERT INTO facility_history (code, version, snapshot, changed_by, changed_at)
         VALUES (${p(f.code)}, ${p(f.version)}::int, ${p(JSON.stringify(snapshot))}::jsonb, ${p(changedBy)}, ${p(f.updatedAt)}::timestamptz)`,
    );
  }
}

/** The patient side's question about the registry, answered from the `facilities` table of the same database. */
@Injectable()
export class RegistrySensitiveFacilities extends SensitiveFacilities {
  async among(db: Db, facilityCodes: readonly string[]): Promise<ReadonlySet<string>> {
    if (facilityCodes.length === 0) return new Set();
    const rows = await db.query<{ code: string }>(`SELECT code FROM facilities WHERE code = ANY($1::varchar[]) AND sensitive`, [[...new Set(facilityCodes)]]);
    return new Set(rows.map((r) => r.code));
  }
}
