import { InboxTransportModule, MessagingModule } from '@lienthong/messaging';
import { AuditTrail, PersistenceModule, PgAuditTrail } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentityEventsConsumer } from './registry/adapters/messaging/identity-events.consumer';
import { registryInboxOptions } from './registry/adapters/messaging/registry-inbox';
import { FacilityLabsRepository } from './registry/adapters/persistence/facility-labs.repository';
import { MergeLogRepository } from './registry/adapters/persistence/merge-log.repository';
import { PatientLinksRepository } from './registry/adapters/persistence/patient-links.repository';
import { FacilityLabs } from './registry/ports/facility-labs.port';
import { MergeLog } from './registry/ports/merge-log.port';
import { PatientLinks } from './registry/ports/patient-links.port';
import { ApplyMergeUseCase } from './registry/use-cases/apply-merge/apply-merge.use-case';
import { ApplyUnmergeUseCase } from './registry/use-cases/apply-unmerge/apply-unmerge.use-case';
import { RecordFacilityUseCase } from './registry/use-cases/record-facility/record-facility.use-case';
import { RecordPatientLinkUseCase } from './registry/use-cases/record-patient-link/record-patient-link.use-case';
import { SignedServiceToken } from './lab-result/adapters/auth/signed-service-token';
import { ServiceToken } from './lab-result/ports/service-token.port';
import { labResultsMessagingOptions } from './messaging/lab-results-messaging';
import { labResultsPersistenceOptions } from './persistence/data-source';
import { type LabResultsConfig } from './config/lab-results.config';
import { loadRuleSets, RULE_SETS } from './config/rule-sets/load-rule-sets';

/** lab-results-service: XML 130 ingest, canonical results, the reuse check, over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsMessagingOptions }),
    InboxTransportModule.forRootAsync({ inject: [SERVICE_CONFIG, DataSource], useFactory: registryInboxOptions }),
  ],
  controllers: [
    // lab-result (ingest, results)
    // reuse (checks, decisions, rule sets)
    // registry (identity events)
    IdentityEventsConsumer,
  ],
  providers: [
    { provide: AuditTrail, useClass: PgAuditTrail },
    // lab-result (ingest, results)
    { provide: ServiceToken, useClass: SignedServiceToken },
    // reuse (checks, decisions, rule sets)
    { provide: RULE_SETS, inject: [SERVICE_CONFIG], useFactory: (config: LabResultsConfig) => loadRuleSets(config.lab.ruleSetsDir) },
    // registry (identity events)
    { provide: FacilityLabs, useFactory: () => new FacilityLabsRepository() },
    { provide: PatientLinks, useClass: PatientLinksRepository },
    { provide: MergeLog, useClass: MergeLogRepository },
    RecordFacilityUseCase,
    RecordPatientLinkUseCase,
    ApplyMergeUseCase,
    ApplyUnmergeUseCase,
  ],
})
export class LabResultsModule {}
