import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { actingFacility, ActorRefusal, auditActor, requireActingFacility, type Actor } from './actor';

const common = { scopes: [], purposeOfUse: 'treatment' } as const;
const his: Actor = { ...common, kind: 'facility', subject: 'his-79001', facilityCode: '79001', clientId: 'his-client' };
const labForDistrict: Actor = {
  ...common,
  kind: 'service',
  subject: 'svc-lab',
  service: 'lab-results-service',
  actingForFacility: '01901',
  requestId: 'req-7',
};
const labOnItsOwn: Actor = { ...common, kind: 'service', subject: 'svc-lab', service: 'lab-results-service' };
const analyst: Actor = { ...common, kind: 'person', subject: 'u-1', role: 'provincial-analyst', province: '79' };

describe('actingFacility', () => {
  it('is the facility a request speaks for: its own, the one a service acts for, or none', () => {
    expect(actingFacility(his)).toBe('79001');
    expect(actingFacility(labForDistrict)).toBe('01901');
    expect(actingFacility(labOnItsOwn)).toBeUndefined();
    expect(actingFacility(analyst)).toBeUndefined();
  });
});

describe('requireActingFacility', () => {
  it('returns the facility, or refuses with the coded facility-required 403', () => {
    expect(requireActingFacility(labForDistrict)).toBe('01901');
    for (const actor of [analyst, labOnItsOwn]) {
      let refused: unknown;
      try {
        requireActingFacility(actor);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: ErrorCode.Forbidden, status: 403, extensions: { reason: ActorRefusal.FacilityRequired } });
    }
  });
});

describe('auditActor', () => {
  it('keeps both the service that called and the facility it acted for', () => {
    expect(auditActor(labForDistrict)).toEqual({
      kind: 'service',
      subject: 'svc-lab',
      service: 'lab-results-service',
      facilityCode: '01901',
      role: null,
      province: null,
      purposeOfUse: 'treatment',
      clientId: null,
      requestId: 'req-7',
    });
  });

  it('records a facility system as itself and a person without a facility', () => {
    expect(auditActor(his)).toMatchObject({ kind: 'facility', subject: 'his-79001', facilityCode: '79001', service: null, clientId: 'his-client', requestId: null });
    expect(auditActor(analyst)).toMatchObject({ kind: 'person', facilityCode: null, role: 'provincial-analyst', province: '79' });
  });
});
