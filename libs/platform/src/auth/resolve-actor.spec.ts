import { createTestIssuer, type TestTokenClaims } from '@lienthong/testing';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { ActorRefusal, type Actor } from './actor';
import { JwtVerifier } from './jwt-verifier';
import { resolveActor, type ActorRequest } from './resolve-actor';

describe('resolveActor (token + request headers → actor)', () => {
  const issuer = createTestIssuer();
  const verifier = new JwtVerifier({ publicKey: issuer.publicKeyPem, issuer: issuer.issuer, audience: issuer.audience });

  async function actorFor(claims: TestTokenClaims, headers: ActorRequest = {}): Promise<Actor> {
    return resolveActor(await verifier.verify(await issuer.sign(claims)), headers);
  }

  async function refusal(claims: TestTokenClaims, headers: ActorRequest): Promise<DomainError> {
    try {
      await actorFor(claims, headers);
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected the request to be refused');
  }

  const labService = { service: 'lab-results-service', sub: 'svc-lab', scope: 'lienthong/act-for system/Patient.cu' } as const;

  it('a facility system is its facility', async () => {
    const request = { purposeOfUse: 'referral', requestId: 'req-1' };
    expect(await actorFor({ facility: '79001', sub: 'his-79001', scope: 'system/Patient.rs' }, request)).toEqual({
      kind: 'facility',
      subject: 'his-79001',
      facilityCode: '79001',
      scopes: ['system/Patient.rs'],
      purposeOfUse: 'referral',
      requestId: 'req-1',
    });
  });

  it('a service with lienthong/act-for speaks for the facility the request names', async () => {
    expect(await actorFor(labService, { actForFacility: '01901' })).toEqual({
      kind: 'service',
      subject: 'svc-lab',
      service: 'lab-results-service',
      actingForFacility: '01901',
      scopes: ['lienthong/act-for', 'system/Patient.cu'],
      purposeOfUse: 'treatment',
    });
  });

  it('a service naming no facility calls on its own account', async () => {
    const actor = await actorFor(labService);
    expect(actor).toMatchObject({ kind: 'service', service: 'lab-results-service' });
    expect(actor).not.toHaveProperty('actingForFacility');
  });

  it('a service token without lienthong/act-for cannot act for anyone', async () => {
    const error = await refusal({ service: 'analytics-service', scope: 'system/Patient.rs' }, { actForFacility: '79001' });
    expect(error.code).toBe(ErrorCode.InsufficientScope);
    expect(error.status).toBe(403);
    expect(error.extensions).toEqual({ requiredScopes: ['lienthong/act-for'], reason: ActorRefusal.ActForNotGranted });
  });

  it('a facility token cannot use the header to become another facility', async () => {
    const error = await refusal({ facility: '79001', scope: 'system/Patient.rs' }, { actForFacility: '01901' });
    expect(error.code).toBe(ErrorCode.FacilityMismatch);
    expect(error.extensions).toEqual({ reason: ActorRefusal.ActForNotAllowed });
    // Naming itself changes nothing (a gateway may add the header to every call).
    expect(await actorFor({ facility: '79001' }, { actForFacility: '79001' })).toMatchObject({ kind: 'facility', facilityCode: '79001' });
  });

  it('a person cannot act for a facility', async () => {
    const error = await refusal({ role: 'provincial-analyst', province: '79' }, { actForFacility: '79001' });
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.extensions).toEqual({ reason: ActorRefusal.ActForNotAllowed });
  });

  it('a person is their role and province, with no facility', async () => {
    expect(await actorFor({ role: 'provincial-analyst', province: '79', sub: 'analyst-1' })).toEqual({
      kind: 'person',
      subject: 'analyst-1',
      role: 'provincial-analyst',
      province: '79',
      scopes: [],
      purposeOfUse: 'treatment',
    });
  });

  it('refuses an act-for header that is not exactly one facility code', async () => {
    for (const actForFacility of ['7900', ' 79001', '79001, 01901', ['79001', '01901'], '']) {
      const error = await refusal(labService, { actForFacility });
      expect(error.code).toBe(ErrorCode.ValidationFailed);
      expect(error.errors).toEqual([{ field: 'X-Act-For-Facility', rule: 'pattern', message: expect.stringContaining('MA_CSKCB') }]);
    }
  });

  it('reads the purpose of use, defaulting to treatment and refusing unknown ones', async () => {
    expect(await actorFor({ facility: '79001' }, { purposeOfUse: ' Emergency ' })).toMatchObject({ purposeOfUse: 'emergency' });
    expect(await actorFor({ facility: '79001' }, { purposeOfUse: '' })).toMatchObject({ purposeOfUse: 'treatment' });
    const error = await refusal({ facility: '79001' }, { purposeOfUse: 'marketing' });
    expect(error.errors).toEqual([{ field: 'X-Purpose-Of-Use', rule: 'enum', message: expect.stringContaining('treatment') }]);
  });
});
