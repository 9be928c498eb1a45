import { MessagingModule } from '@lienthong/messaging';
import { PersistenceModule } from '@lienthong/persistence';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { Module } from '@nestjs/common';
import { ConsentsController } from './consent/adapters/http/consents.controller';
import { ConsentRepository } from './consent/adapters/persistence/consent.repository';
import { ConsentStore } from './consent/ports/consent-store.port';
import { CreateConsentUseCase } from './consent/use-cases/create-consent/create-consent.use-case';
import { consentMessagingOptions } from './messaging/consent-messaging';
import { consentPersistenceOptions } from './persistence/data-source';

/** consent-service: the consent context over the unit of work and the outbox. */
@Module({
  imports: [
    PersistenceModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentPersistenceOptions }),
    MessagingModule.forRootAsync({ inject: [SERVICE_CONFIG], useFactory: consentMessagingOptions }),
  ],
  controllers: [ConsentsController],
  providers: [
    { provide: ConsentStore, useClass: ConsentRepository },
    CreateConsentUseCase,
  ],
})
export class ConsentModule {}
