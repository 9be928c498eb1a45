import { InboxTransportModule, MessagingModule } from '@lienthong/messaging';
import { AuditTrail, PersistenceModule, PgAuditTrail } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { consentInboxOptions } from './consent/adapters/messaging/consent-inbox';
import { IdentityEventsConsumer } from './consent/adapters/messaging/identity-events.consumer';
import { facilityDirectoryFrom } from './consent/adapters/persistence/facility-directory.repository';
import { MergeLogRepository } from './consent/adapters/persistence/merge-log.repository';
import { PatientDirectoryRepository } from './consent/adapters/persistence/patient-directory.repository';
import { FacilityDirectory } from './consent/ports/facility-directory.port';
import { MergeLog } from './consent/ports/merge-log.port';
import { PatientDirectory } from './consent/ports/patient-directory.port';
import { ApplyMergeUseCase } from './consent/use-cases/apply-merge/apply-merge.use-case';
import { ApplyUnmergeUseCase } from './consent/use-cases/apply-unmerge/apply-unmerge.use-case';
import { RecordFacilityUseCase } from './consent/use-cases/record-facility/record-facility.use-case';
import { RecordPatientLinkUseCase } from './consent/use-cases/record-patient-link/record-patient-link.use-case';
import { DEFAULT_POLICIES, loadDefaultPolicies } from './config/default-policies';
import { ConsentChangeListener } from './consent/adapters/cache/consent-change.listener';
import { RedisConsentStateCache, redisConsentStateCacheFrom } from './consent/adapters/cache/redis-consent-state.cache';
import { DecisionsController } from './consent/adapters/http/decisions.controller';
import { ConsentStateRepository } from './consent/adapters/persistence/consent-state.repository';
import { ConsentStateSource } from './consent/ports/consent-state-source.port';
import { DecideUseCase } from './consent/use-cases/decide/decide.use-case';
import { PgConsentChangeSignal } from './consent/adapters/persistence/pg-consent-change.signal';
import { ConsentChangeSignal } from './consent/ports/consent-change-signal.port';
import { ConsentStateCache } from './consent/ports/consent-state-cache.port';
import { EmergencyAccessController } from './consent/adapters/http/emergency-access.controller';
import { EmergencyAccessRepository } from './consent/adapters/persistence/emergency-access.repository';
import { ExpiryQueueRepository } from './consent/adapters/persistence/expiry-queue.repository';
import { ExpiryScheduler } from './consent/adapters/scheduling/expiry.scheduler';
import { EmergencyAccessStore } from './consent/ports/emergency-access-store.port';
import { ExpiryQueue } from './consent/ports/expiry-queue.port';
import { DeclareEmergencyAccessUseCase } from './consent/use-cases/declare-emergency-access/declare-emergency-access.use-case';
import { PublishDueExpiriesUseCase } from './consent/use-cases/publish-due-expiries/publish-due-expiries.use-case';
import { ReportEmergencyAccessesUseCase } from './consent/use-cases/report-emergency-accesses/report-emergency-accesses.use-case';
import { FhirConsentController } from './consent/adapters/fhir/fhir-consent.controller';
import { ConsentsController } from './consent/adapters/http/consents.controller';
import { ConsentRepository } from './consent/adapters/persistence/consent.repository';
import { ConsentStore } from './consent/ports/consent-store.port';
import { ConsentAmender } from './consent/use-cases/amend-consent';
import { ChangeConsentUseCase } from './consent/use-cases/change-consent/change-consent.use-case';
import { GetConsentUseCase } from './consent/use-cases/get-consent/get-consent.use-case';
import { ListPatientConsentsUseCase } from './consent/use-cases/list-patient-consents/list-patient-consents.use-case';
import { RecordConsentUseCase } from './consent/use-cases/record-consent/record-consent.use-case';
import { WithdrawConsentUseCase } from './consent/use-cases/withdraw-consent/withdraw-consent.use-case';
import { consentMessagingOptions } from './messaging/consent-messaging';
import { consentPersistenceOptions } from './persistence/data-source';

/** consent-service: consents with evidence, the decision point, break-the-glass, over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentMessagingOptions }),
    InboxTransportModule.forRootAsync({ inject: [SERVICE_CONFIG, DataSource], useFactory: consentInboxOptions }),
  ],
  controllers: [
    // consents (records, versions, withdrawal, history, FHIR Consent)
    ConsentsController,
    FhirConsentController,
    // decisions (single, batch)
    DecisionsController,
    // emergency access (break-the-glass, report)
    EmergencyAccessController,
    // identity events (@OnEvent)
    IdentityEventsConsumer,
  ],
  providers: [
    { provide: AuditTrail, useClass: PgAuditTrail },
    { provide: ConsentChangeSignal, useClass: PgConsentChangeSignal },
    // consents
    { provide: ConsentStore, useClass: ConsentRepository },
    ConsentAmender,
    RecordConsentUseCase,
    ChangeConsentUseCase,
    WithdrawConsentUseCase,
    GetConsentUseCase,
    ListPatientConsentsUseCase,
    // decisions
    { provide: RedisConsentStateCache, inject: [SERVICE_CONFIG], useFactory: redisConsentStateCacheFrom },
    { provide: ConsentStateCache, useExisting: RedisConsentStateCache },
    { provide: ConsentStateSource, useClass: ConsentStateRepository },
    { provide: DEFAULT_POLICIES, useFactory: () => loadDefaultPolicies() },
    ConsentChangeListener,
    DecideUseCase,
    // emergency access and expiry
    { provide: EmergencyAccessStore, useClass: EmergencyAccessRepository },
    { provide: ExpiryQueue, useClass: ExpiryQueueRepository },
    DeclareEmergencyAccessUseCase,
    ReportEmergencyAccessesUseCase,
    PublishDueExpiriesUseCase,
    ExpiryScheduler,
    // identity events
    { provide: PatientDirectory, useClass: PatientDirectoryRepository },
    { provide: FacilityDirectory, inject: [SERVICE_CONFIG], useFactory: facilityDirectoryFrom },
    { provide: MergeLog, useClass: MergeLogRepository },
    RecordPatientLinkUseCase,
    RecordFacilityUseCase,
    ApplyMergeUseCase,
    ApplyUnmergeUseCase,
  ],
})
export class ConsentModule {}
