import { CreateOutbox1795600000000 } from '@lienthong/messaging';
import { LabResultEntity } from '../lab-result/adapters/persistence/lab-result.entity';
import { CreateLabResults1795991917595 } from './migrations/1795991917595-create-lab-results';

/** Every entity of the service's schema (the int test checks the migrations produce exactly these). */
export const LAB_RESULTS_ENTITIES = [LabResultEntity];

/** Migrations by class, in order. Run once per deploy (migrate.ts), not by every replica. */
export const LAB_RESULTS_MIGRATIONS = [CreateOutbox1795600000000, CreateLabResults1795991917595];
