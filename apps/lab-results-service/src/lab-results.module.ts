import { MessagingModule } from '@lienthong/messaging';
import { AuditTrail, PersistenceModule, PgAuditTrail } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { SignedServiceToken } from './lab-result/adapters/auth/signed-service-token';
import { ServiceToken } from './lab-result/ports/service-token.port';
import { labResultsMessagingOptions } from './messaging/lab-results-messaging';
import { labResultsPersistenceOptions } from './persistence/data-source';

/** lab-results-service: XML 130 ingest, canonical results, the reuse check, over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsMessagingOptions }),
  ],
  controllers: [
    // lab-result (ingest, results)
    // reuse (checks, decisions, rule sets)
    // registry (identity events)
  ],
  providers: [
    { provide: AuditTrail, useClass: PgAuditTrail },
    // lab-result (ingest, results)
    { provide: ServiceToken, useClass: SignedServiceToken },
    // reuse (checks, decisions, rule sets)
    // registry (identity events)
  ],
})
export class LabResultsModule {}
