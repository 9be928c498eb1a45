import { InboxTransportModule } from '@lienthong/messaging';
import { PersistenceModule } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EchoController } from './app/echo/echo.controller';
import { WhoamiController } from './app/whoami/whoami.controller';
import { samplePersistenceOptions } from './persistence/data-source';
import { SeenPatientsController } from './seen-patients/adapters/http/seen-patients.controller';
import { IdentityEventsConsumer } from './seen-patients/adapters/messaging/identity-events.consumer';
import { seenPatientsInboxOptions } from './seen-patients/adapters/messaging/seen-patients-inbox';
import { PgSeenPatientRepository } from './seen-patients/adapters/persistence/pg-seen-patient.repository';
import { SeenPatientRepository } from './seen-patients/ports/seen-patient.repository';
import { ListSeenPatientsUseCase } from './seen-patients/use-cases/list-seen-patients/list-seen-patients.use-case';
import { MovePatientLinksUseCase } from './seen-patients/use-cases/move-patient-links/move-patient-links.use-case';
import { RecordPatientSeenUseCase } from './seen-patients/use-cases/record-patient-seen/record-patient-seen.use-case';

@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: samplePersistenceOptions }),
    InboxTransportModule.forRootAsync({ inject: [SERVICE_CONFIG, DataSource], useFactory: seenPatientsInboxOptions }),
  ],
  controllers: [WhoamiController, EchoController, SeenPatientsController, IdentityEventsConsumer],
  providers: [
    { provide: SeenPatientRepository, useClass: PgSeenPatientRepository },
    RecordPatientSeenUseCase,
    MovePatientLinksUseCase,
    ListSeenPatientsUseCase,
  ],
})
export class SampleModule {}
