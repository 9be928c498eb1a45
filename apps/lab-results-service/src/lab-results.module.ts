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
import { AesDemographicsVault } from './lab-result/adapters/crypto/aes-demographics-vault';
import { UploadLimit, Xml130Bodies } from './lab-result/adapters/http/xml130-body';
import { Xml130Controller } from './lab-result/adapters/http/xml130.controller';
import { HttpPatientResolver } from './lab-result/adapters/identity/http-patient-resolver';
import { LabResultRepository } from './lab-result/adapters/persistence/lab-result.repository';
import { PatientResolutionRepository } from './lab-result/adapters/persistence/patient-resolution.repository';
import { SubmissionRepository } from './lab-result/adapters/persistence/submission.repository';
import { VisitRepository } from './lab-result/adapters/persistence/visit.repository';
import { PendingVisitsWorker } from './lab-result/adapters/scheduling/pending-visits.worker';
import { DemographicsVault } from './lab-result/ports/demographics-vault.port';
import { LabResultStore } from './lab-result/ports/lab-result-store.port';
import { PatientResolutions } from './lab-result/ports/patient-resolutions.port';
import { PatientResolver } from './lab-result/ports/patient-resolver.port';
import { ServiceToken } from './lab-result/ports/service-token.port';
import { SubmissionStore } from './lab-result/ports/submission-store.port';
import { VisitStore } from './lab-result/ports/visit-store.port';
import { GetSubmissionUseCase } from './lab-result/use-cases/get-submission/get-submission.use-case';
import { IngestXml130UseCase } from './lab-result/use-cases/ingest-xml130/ingest-xml130.use-case';
import { ResolvePendingVisitsUseCase } from './lab-result/use-cases/resolve-pending-visits/resolve-pending-visits.use-case';
import { VisitSettlement } from './lab-result/use-cases/visit-settlement';
import { labResultsMessagingOptions } from './messaging/lab-results-messaging';
import { labResultsPersistenceOptions } from './persistence/data-source';
import { type LabResultsConfig } from './config/lab-results.config';
import { loadRuleSets, RULE_SETS } from './config/rule-sets/load-rule-sets';
import { ConsentClientDecisions } from './reuse/adapters/consent/consent-client-decisions';
import { ReuseChecksController } from './reuse/adapters/http/reuse-checks.controller';
import { RuleSetsController } from './reuse/adapters/http/rule-sets.controller';
import { HttpPatientLookup } from './reuse/adapters/identity/http-patient-lookup';
import { ReuseChecksRepository } from './reuse/adapters/persistence/reuse-checks.repository';
import { ReuseResultsRepository } from './reuse/adapters/persistence/reuse-results.repository';
import { ConsentDecisions } from './reuse/ports/consent-decisions.port';
import { PatientLookup } from './reuse/ports/patient-lookup.port';
import { ReuseChecks } from './reuse/ports/reuse-checks.port';
import { ReuseResults } from './reuse/ports/reuse-results.port';
import { GetReuseCheckUseCase } from './reuse/use-cases/get-reuse-check/get-reuse-check.use-case';
import { ReadRuleSetsUseCase } from './reuse/use-cases/read-rule-sets/read-rule-sets.use-case';
import { RecordReuseDecisionUseCase } from './reuse/use-cases/record-reuse-decision/record-reuse-decision.use-case';
import { RunReuseCheckUseCase } from './reuse/use-cases/run-reuse-check/run-reuse-check.use-case';

/** lab-results-service: XML 130 ingest, canonical results, the reuse check, over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsMessagingOptions }),
    InboxTransportModule.forRootAsync({ inject: [SERVICE_CONFIG, DataSource], useFactory: registryInboxOptions }),
  ],
  controllers: [
    // lab-result (ingest, results)
    Xml130Controller,
    // reuse (checks, decisions, rule sets)
    ReuseChecksController,
    RuleSetsController,
    // registry (identity events)
    IdentityEventsConsumer,
  ],
  providers: [
    { provide: AuditTrail, useClass: PgAuditTrail },
    // lab-result (ingest, results)
    { provide: ServiceToken, useClass: SignedServiceToken },
    { provide: PatientResolver, useClass: HttpPatientResolver },
    { provide: DemographicsVault, useClass: AesDemographicsVault },
    { provide: VisitStore, useClass: VisitRepository },
    { provide: LabResultStore, useClass: LabResultRepository },
    { provide: SubmissionStore, useClass: SubmissionRepository },
    { provide: PatientResolutions, useClass: PatientResolutionRepository },
    Xml130Bodies,
    UploadLimit,
    VisitSettlement,
    IngestXml130UseCase,
    ResolvePendingVisitsUseCase,
    GetSubmissionUseCase,
    PendingVisitsWorker,
    // reuse (checks, decisions, rule sets)
    { provide: RULE_SETS, inject: [SERVICE_CONFIG], useFactory: (config: LabResultsConfig) => loadRuleSets(config.lab.ruleSetsDir) },
    { provide: ReuseResults, useClass: ReuseResultsRepository },
    { provide: ReuseChecks, useClass: ReuseChecksRepository },
    { provide: PatientLookup, useClass: HttpPatientLookup },
    { provide: ConsentDecisions, useClass: ConsentClientDecisions },
    RunReuseCheckUseCase,
    RecordReuseDecisionUseCase,
    GetReuseCheckUseCase,
    ReadRuleSetsUseCase,
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
