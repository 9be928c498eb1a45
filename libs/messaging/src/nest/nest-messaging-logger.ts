import { Logger } from '@nestjs/common';
import { type MessagingLogger } from '../shared/logger';

/** Messaging's log calls through Nest's logger (the platform's pino, redacted): fields first, then the message. */
export function nestMessagingLogger(context: string): MessagingLogger {
  const logger = new Logger(context);
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.log(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
