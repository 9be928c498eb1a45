import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MessagingModule } from '@lienthong/messaging';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { loadIdentityKeys } from './config/identity-keys.config';
import { type IdentityConfig } from './config/identity.config';
import { IdentifierCrypto } from './crypto/identifier-crypto';
import { FacilitiesController } from './facilities/facilities.controller';
import { FacilitySeeder } from './facilities/facility-seeder';
import { UpsertFacilityUseCase } from './facilities/upsert-facility/upsert-facility.use-case';
import { identityMessagingOptions } from './messaging/identity-messaging';
import { identityDataSourceOptions } from './persistence/data-source';
import { AuditWriter } from './patients/audit/audit-writer';
import { PatientEventOutbox } from './patients/domain/patient-event-outbox.port';
import { PatientMatcher } from './patients/domain/patient-matcher';
import { FhirPatientController } from './patients/fhir/fhir-patient.controller';
import { PatientsController } from './patients/http/patients.controller';
import { StewardshipController } from './patients/http/stewardship.controller';
import { OutboxPatientEvents } from './patients/messaging/outbox-patient-events';
import { PatientReader } from './patients/persistence/patient-reader';
import { PatientRepository } from './patients/persistence/patient.repository';
import { CrossReferenceUseCase } from './patients/use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from './patients/use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from './patients/use-cases/match-patients/match-patients.use-case';
import { MergePatientsUseCase } from './patients/use-cases/merge-patients/merge-patients.use-case';
import { ReadAuditUseCase } from './patients/use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from './patients/use-cases/register-patient/register-patient.use-case';
import { DecideReviewItemUseCase } from './patients/use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from './patients/use-cases/review-queue/list-review-items.use-case';
import { SearchPatientsUseCase } from './patients/use-cases/search-patients/search-patients.use-case';
import { UnmergePatientsUseCase } from './patients/use-cases/unmerge-patients/unmerge-patients.use-case';
import { RegistrySensitiveFacilityPolicy, SensitiveFacilityPolicy } from './patients/visibility/sensitive-facility.policy';

/** The master patient index: patients, identifiers, facility links, review queue, merges, audit. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: IdentityConfig) => identityDataSourceOptions(config.db.url),
    }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: identityMessagingOptions }),
  ],
  controllers: [PatientsController, StewardshipController, FhirPatientController, FacilitiesController],
  providers: [
    {
      provide: IdentifierCrypto,
      inject: [SERVICE_CONFIG],
      // Validated at boot: a missing or short key stops the service before it listens.
      useFactory: (config: IdentityConfig) =>
        new IdentifierCrypto(
          loadIdentityKeys({
            NODE_ENV: config.service.environment,
            IDENTITY_ENCRYPTION_KEYS: config.identity.encryptionKeys,
            IDENTITY_ENCRYPTION_ACTIVE_KEY: config.identity.activeKey,
            IDENTITY_BLIND_INDEX_KEY: config.identity.blindIndexKey,
          }),
        ),
    },
    { provide: PatientEventOutbox, useClass: OutboxPatientEvents },
    { provide: SensitiveFacilityPolicy, useClass: RegistrySensitiveFacilityPolicy },
    { provide: PatientMatcher, useFactory: () => new PatientMatcher() },
    PatientRepository,
    PatientReader,
    AuditWriter,
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
    FacilitySeeder,
  ],
  exports: [RegisterPatientUseCase, FacilitySeeder],
})
export class IdentityModule {}
