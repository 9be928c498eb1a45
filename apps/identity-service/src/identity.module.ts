import { Module } from '@nestjs/common';
import { FhirJsonBodies } from '@lienthong/fhir/nest';
import { MessagingModule } from '@lienthong/messaging';
import { PersistenceModule } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { type IdentityConfig } from './config/identity.config';
import { identifierCryptoFrom, IdentifierCrypto } from './crypto/identifier-crypto';
import { FacilitiesController } from './facilities/adapters/http/facilities.controller';
import { FacilityRepository, RegistrySensitiveFacilities } from './facilities/adapters/persistence/facility.repository';
import { FacilitySeeder } from './facilities/adapters/seed/facility-seeder';
import { FacilityRegistry } from './facilities/ports/facility-registry.port';
import { GetFacilityUseCase } from './facilities/use-cases/get-facility/get-facility.use-case';
import { ListFacilitiesUseCase } from './facilities/use-cases/list-facilities/list-facilities.use-case';
import { UpsertFacilityUseCase } from './facilities/use-cases/upsert-facility/upsert-facility.use-case';
import { identityMessagingOptions } from './messaging/identity-messaging';
import { PatientsController } from './patients/adapters/http/patients.controller';
import { StewardshipController } from './patients/adapters/http/stewardship.controller';
import { AuditTrailRepository } from './patients/adapters/persistence/audit-trail.repository';
import { IdempotencyRepository } from './patients/adapters/persistence/idempotency.repository';
import { MergeLogRepository } from './patients/adapters/persistence/merge-log.repository';
import { PatientRepository } from './patients/adapters/persistence/patient.repository';
import { ReviewQueueRepository } from './patients/adapters/persistence/review-queue.repository';
import { PatientMatcher } from './patients/domain/patient-matcher';
import { FhirPatientController } from './patients/adapters/fhir/fhir-patient.controller';
import { AuditTrail } from './patients/ports/audit-trail.port';
import { IdempotencyStore } from './patients/ports/idempotency-store.port';
import { MergeLog } from './patients/ports/merge-log.port';
import { PatientStore } from './patients/ports/patient-store.port';
import { ReviewQueue } from './patients/ports/review-queue.port';
import { SensitiveFacilities } from './patients/ports/sensitive-facilities.port';
import { CrossReferenceUseCase } from './patients/use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from './patients/use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from './patients/use-cases/match-patients/match-patients.use-case';
import { MergePatientsUseCase } from './patients/use-cases/merge-patients/merge-patients.use-case';
import { PatientResolver } from './patients/use-cases/patient-resolver';
import { ReadAuditUseCase } from './patients/use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from './patients/use-cases/register-patient/register-patient.use-case';
import { DecideReviewItemUseCase } from './patients/use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from './patients/use-cases/review-queue/list-review-items.use-case';
import { SearchPatientsUseCase } from './patients/use-cases/search-patients/search-patients.use-case';
import { UnmergePatientsUseCase } from './patients/use-cases/unmerge-patients/unmerge-patients.use-case';
import { identityPersistence } from './persistence/data-source';

/** The master patient index (patients, identifiers, links, review queue, merges, audit) and the facility registry. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: (config: IdentityConfig) => identityPersistence(config.db) }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: identityMessagingOptions }),
  ],
  controllers: [PatientsController, StewardshipController, FhirPatientController, FacilitiesController],
  providers: [
    { provide: IdentifierCrypto, inject: [SERVICE_CONFIG], useFactory: identifierCryptoFrom },
    { provide: PatientMatcher, useFactory: () => new PatientMatcher() },
    // FHIR clients POST application/fhir+json; Fastify knows only application/json until told.
    FhirJsonBodies,
    // Ports → adapters.
    { provide: PatientStore, useClass: PatientRepository },
    { provide: ReviewQueue, useClass: ReviewQueueRepository },
    { provide: MergeLog, useClass: MergeLogRepository },
    { provide: IdempotencyStore, useClass: IdempotencyRepository },
    { provide: AuditTrail, useClass: AuditTrailRepository },
    { provide: SensitiveFacilities, useClass: RegistrySensitiveFacilities },
    { provide: FacilityRegistry, useClass: FacilityRepository },
    // Use cases.
    PatientResolver,
    RegisterPatientUseCase,
    GetPatientUseCase,
    SearchPatientsUseCase,
    CrossReferenceUseCase,
    MatchPatientsUseCase,
    MergePatientsUseCase,
    UnmergePatientsUseCase,
    ListReviewItemsUseCase,
    DecideReviewItemUseCase,
    ReadAuditUseCase,
    UpsertFacilityUseCase,
    ListFacilitiesUseCase,
    GetFacilityUseCase,
    FacilitySeeder,
  ],
  exports: [RegisterPatientUseCase, FacilitySeeder],
})
export class IdentityModule {}
