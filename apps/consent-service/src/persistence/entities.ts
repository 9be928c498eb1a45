import { CreateInbox1795600000001, CreateOutbox1795600000000 } from '@lienthong/messaging';
import { AuditLogEntity, CreateAuditLog1795600000002 } from '@lienthong/persistence';
import { CONSENT_TABLE_ENTITIES } from '../consent/adapters/persistence/consent.entities';
import { CreateConsentSchema1798000000000 } from './migrations/1798000000000-create-consent-schema';

/** Every entity of the service's schema, the platform's audit_log included (the int test checks the migrations produce exactly these). */
export const CONSENT_ENTITIES = [...CONSENT_TABLE_ENTITIES, AuditLogEntity];

/** Migrations by class, in order. Run once per deploy (migrate.ts), not by every replica. */
export const CONSENT_MIGRATIONS = [CreateOutbox1795600000000, CreateInbox1795600000001, CreateAuditLog1795600000002, CreateConsentSchema1798000000000];
