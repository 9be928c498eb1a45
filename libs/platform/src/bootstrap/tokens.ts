import { Inject } from '@nestjs/common';

/** The validated service configuration (`ServiceConfig` & the app's own sections). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** `constructor(@InjectConfig() config: SampleConfig)` */
export const InjectConfig = (): PropertyDecorator & ParameterDecorator => Inject(SERVICE_CONFIG);
