import { MessagingModule } from '@lienthong/messaging';
import { PersistenceModule } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { RedisConsentStateCache, redisConsentStateCacheFrom } from './consent/adapters/cache/redis-consent-state.cache';
import { AuditTrailRepository } from './consent/adapters/persistence/audit-trail.repository';
import { PgConsentChangeSignal } from './consent/adapters/persistence/pg-consent-change.signal';
import { AuditTrail } from './consent/ports/audit-trail.port';
import { ConsentChangeSignal } from './consent/ports/consent-change-signal.port';
import { ConsentStateCache } from './consent/ports/consent-state-cache.port';
import { consentMessagingOptions } from './messaging/consent-messaging';
import { consentPersistenceOptions } from './persistence/data-source';

/** consent-service: consents with evidence, the decision point, break-the-glass, over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentMessagingOptions }),
  ],
  controllers: [
    // consents (records, versions, withdrawal, history, FHIR Consent)
    // decisions (single, batch)
    // emergency access (break-the-glass, report)
    // identity events (@OnEvent)
  ],
  providers: [
    { provide: AuditTrail, useClass: AuditTrailRepository },
    { provide: ConsentChangeSignal, useClass: PgConsentChangeSignal },
    // consents
    // decisions
    { provide: RedisConsentStateCache, inject: [SERVICE_CONFIG], useFactory: redisConsentStateCacheFrom },
    { provide: ConsentStateCache, useExisting: RedisConsentStateCache },
    // emergency access and expiry
    // identity events
  ],
})
export class ConsentModule {}
