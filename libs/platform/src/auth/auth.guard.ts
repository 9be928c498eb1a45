import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { ACT_FOR_FACILITY_HEADER, PURPOSE_OF_USE_HEADER, requireActingFacility } from './actor';
import { ACTOR_KEY, IS_PUBLIC, REQUIRED_SCOPES, REQUIRES_FACILITY, type RequestWithActor } from './auth.decorators';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier';
import { resolveActor } from './resolve-actor';
import { missingScopes } from './scopes';

export const JWT_VERIFIER = Symbol('JWT_VERIFIER');

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @RequireScopes adds
 * SMART scope checks; @RequireFacility() demands a facility to speak for. Errors follow RFC 6750
 * (WWW-Authenticate) inside problem+json bodies.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithActor>();
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new DomainError(ErrorCode.Unauthorized, {
        detail: 'A bearer token is required.',
        headers: { 'www-authenticate': 'Bearer realm="lienthong"' },
      });
    }
    let verified;
    try {
      verified = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new DomainError(ErrorCode.Unauthorized, {
        detail: `The bearer token is not valid: ${error.reason}.`,
        headers: { 'www-authenticate': `Bearer realm="lienthong", error="invalid_token", error_description="${error.reason.replace(/"/g, "'")}"` },
      });
    }

    const required = this.reflector.getAll<(string[] | undefined)[]>(REQUIRED_SCOPES, targets).flatMap((s) => s ?? []);
    const missing = missingScopes(verified.scopes, required);
    if (missing.length > 0) {
      throw new DomainError(ErrorCode.InsufficientScope, {
        detail: `The token lacks the scope(s): ${missing.join(' ')}.`,
        headers: { 'www-authenticate': `Bearer realm="lienthong", error="insufficient_scope", scope="${required.join(' ')}"` },
        extensions: { requiredScopes: missing },
      });
    }

    const actor = resolveActor(verified, {
      actForFacility: request.headers[ACT_FOR_FACILITY_HEADER],
      purposeOfUse: request.headers[PURPOSE_OF_USE_HEADER],
      requestId: String(request.id),
    });
    if (this.reflector.getAllAndOverride<boolean | undefined>(REQUIRES_FACILITY, targets)) requireActingFacility(actor);
    request[ACTOR_KEY] = actor;
    return true;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim());
  return match?.[1];
}
