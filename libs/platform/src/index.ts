// The service kit every app uses. Tracing is separate: `import '@lienthong/platform/tracing'` first in main.ts.
export * from './config/config';
export * from './config/service-config';
export * from './errors/error-code';
export * from './errors/domain-error';
export * from './errors/problem';
export { ProblemFilter } from './errors/problem.filter';
export * from './errors/infrastructure-errors';
export { requireUtf8JsonBodies, utf8JsonParser } from './errors/utf8-json';
export { findUnsafeText } from './errors/unsafe-text';
export { ZodValidationPipe, zodIssuesToValidationIssues, toJsonPointer } from './errors/zod-validation.pipe';
export * from './auth/actor';
export * from './auth/scopes';
export { resolveActor, type ActorRequest } from './auth/resolve-actor';
export { Public, RequireScopes, RequireFacility, CurrentActor } from './auth/auth.decorators';
export { AuthGuard, JWT_VERIFIER } from './auth/auth.guard';
export {
  JwtVerifier,
  InvalidTokenError,
  type JwtVerifierOptions,
  type VerifiedToken,
  type TokenPrincipal,
} from './auth/jwt-verifier';
export * from './health/health-check';
export * from './health/checks';
export { HealthService, type ReadinessReport, type CheckStatus } from './health/health.service';
export * from './metrics/metrics-registry';
export { HTTP_DURATION_METRIC } from './metrics/http-metrics';
export { createLogger, loggerOptions, REQUEST_ID_HEADER } from './logging/logger';
export { maskIdentifiers, scrubLogLine, scrubbingDestination, REDACT_PATHS, CENSOR } from './logging/redaction';
export { PlatformModule, type Dependency, type PlatformModuleOptions } from './bootstrap/platform.module';
export { SERVICE_CONFIG, InjectConfig } from './bootstrap/tokens';
export { createService, bootstrapService, exitOnBootFailure, type Service, type ServiceOptions } from './bootstrap/create-service';
