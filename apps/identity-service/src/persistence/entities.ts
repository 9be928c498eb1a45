import { FacilityEntity, FacilityHistoryEntity } from '../facilities/adapters/persistence/facility.entity';
import { CreateFacilities1764115200000 } from '../facilities/migrations/1764115200000-create-facilities';
import { CreateOutbox1795600000000 } from '@lienthong/messaging';
import { AuditLogEntity } from './entities/audit-log.entity';
import { FacilityLinkEntity } from './entities/facility-link.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { MergeEntity } from './entities/merge.entity';
import { PatientBlockingKeyEntity } from './entities/patient-blocking-key.entity';
import { PatientIdentifierEntity } from './entities/patient-identifier.entity';
import { PatientSourceHistoryEntity, PatientSourceRecordEntity } from './entities/patient-source-record.entity';
import { PatientEntity } from './entities/patient.entity';
import { ReviewItemEntity } from './entities/review-item.entity';
import { CreatePatientIndex1764201600000 } from './migrations/1764201600000-create-patient-index';
import { AuditActorKinds1796000000000 } from './migrations/1796000000000-audit-actor-kinds';
import { PatientSourceRecords1797000000000 } from './migrations/1797000000000-patient-source-records';
import { BackfillPatientSourceRecords1797000000001 } from './migrations/1797000000001-backfill-patient-source-records';

/** Every entity of the service's schema (the migration check compares these with the database). */
export const IDENTITY_ENTITIES = [
  FacilityEntity,
  FacilityHistoryEntity,
  PatientEntity,
  PatientIdentifierEntity,
  FacilityLinkEntity,
  ReviewItemEntity,
  MergeEntity,
  AuditLogEntity,
  IdempotencyKeyEntity,
  PatientBlockingKeyEntity,
  PatientSourceRecordEntity,
  PatientSourceHistoryEntity,
];

/** Migrations by class, in order. Run once per deploy (`migration:run`), not by every replica. */
export const IDENTITY_MIGRATIONS = [CreateFacilities1764115200000, CreatePatientIndex1764201600000, CreateOutbox1795600000000, AuditActorKinds1796000000000,
  PatientSourceRecords1797000000000, BackfillPatientSourceRecords1797000000001];
