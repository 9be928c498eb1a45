import { CreateInbox1795600000001, CreateOutbox1795600000000 } from '@lienthong/messaging';
import { AuditLogEntity, CreateAuditLog1795600000002 } from '@lienthong/persistence';
import { INGEST_ENTITIES } from '../lab-result/adapters/persistence/lab-result.entities';
import { REGISTRY_ENTITIES } from '../registry/adapters/persistence/registry.entities';
import { REUSE_ENTITIES } from '../reuse/adapters/persistence/reuse.entities';
import { CreateRegistrySchema1798100000000 } from './migrations/1798100000000-create-registry-schema';
import { CreateIngestSchema1798200000000 } from './migrations/1798200000000-create-ingest-schema';
import { CreateReuseSchema1798300000000 } from './migrations/1798300000000-create-reuse-schema';
import { CreatePatientResolutions1798400000000 } from './migrations/1798400000000-create-patient-resolutions';

/** Every entity of the service's schema (the int test checks the migrations produce exactly these). Each context adds its own. */
export const LAB_RESULTS_ENTITIES = [AuditLogEntity, ...REGISTRY_ENTITIES, ...INGEST_ENTITIES, ...REUSE_ENTITIES];

/** Migrations by class, in order. Run once per deploy (migrate.ts), not by every replica. */
export const LAB_RESULTS_MIGRATIONS = [CreateOutbox1795600000000, CreateInbox1795600000001, CreateAuditLog1795600000002, CreateRegistrySchema1798100000000, CreateIngestSchema1798200000000, CreateReuseSchema1798300000000, CreatePatientResolutions1798400000000];
