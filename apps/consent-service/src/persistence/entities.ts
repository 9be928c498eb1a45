import { CreateOutbox1795600000000 } from '@lienthong/messaging';
import { ConsentEntity } from '../consent/adapters/persistence/consent.entity';
import { CreateConsents1795989524617 } from './migrations/1795989524617-create-consents';

/** Every entity of the service's schema (the int test checks the migrations produce exactly these). */
export const CONSENT_ENTITIES = [ConsentEntity];

/** Migrations by class, in order. Run once per deploy (migrate.ts), not by every replica. */
export const CONSENT_MIGRATIONS = [CreateOutbox1795600000000, CreateConsents1795989524617];
