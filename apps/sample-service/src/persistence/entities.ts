import { CreateInbox1795600000001 } from '@lienthong/messaging';
import { SeenPatientEntity } from '../seen-patients/adapters/persistence/seen-patient.entity';
import { CreateSeenPatients1796000000000 } from './migrations/1796000000000-create-seen-patients';

/** Every entity of the service's schema (the inbox table is messaging's, created by its migration). */
export const SAMPLE_ENTITIES = [SeenPatientEntity];

/** Migrations by class, in order; applied once per deploy by migrate.ts. */
export const SAMPLE_MIGRATIONS = [CreateInbox1795600000001, CreateSeenPatients1796000000000];
