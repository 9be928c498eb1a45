import { Module } from '@nestjs/common';
import { EchoController } from './echo/echo.controller';
import { WhoamiController } from './whoami/whoami.controller';

@Module({ controllers: [WhoamiController, EchoController] })
export class AppModule {}
