import { MessagingModule } from '@lienthong/messaging';
import { PersistenceModule } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { LabResultsController } from './lab-result/adapters/http/lab-results.controller';
import { LabResultRepository } from './lab-result/adapters/persistence/lab-result.repository';
import { LabResultStore } from './lab-result/ports/lab-result-store.port';
import { CreateLabResultUseCase } from './lab-result/use-cases/create-lab-result/create-lab-result.use-case';
import { labResultsMessagingOptions } from './messaging/lab-results-messaging';
import { labResultsPersistenceOptions } from './persistence/data-source';

/** lab-results-service: the lab-result context over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: labResultsMessagingOptions }),
  ],
  controllers: [LabResultsController],
  providers: [
    { provide: LabResultStore, useClass: LabResultRepository },
    CreateLabResultUseCase,
  ],
})
export class LabResultsModule {}
