import { capabilityStatement } from './capability-statement';

describe('capabilityStatement', () => {
  const statement = capabilityStatement({
    software: { name: 'ward-service' },
    description: 'Beds',
    baseUrl: 'https://hie.example.vn/fhir',
    date: new Date('2026-01-02T03:04:05Z'),
    scopes: [{ scope: 'system/Location.rs', grants: 'read beds' }],
    resources: [{ type: 'Location', interaction: [{ code: 'read' }] }],
  });

  it('an instance statement of a JSON-only R4 server at its base', () => {
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      date: '2026-01-02T03:04:05.000Z',
      fhirVersion: '4.0.1',
      format: ['json', 'application/fhir+json'],
      implementation: { url: 'https://hie.example.vn/fhir', description: 'Beds' },
      software: { name: 'ward-service' },
      rest: [{ mode: 'server', resource: [{ type: 'Location', interaction: [{ code: 'read' }] }] }],
    });
    expect(statement.software).not.toHaveProperty('version');
  });

  it('names SMART as the security service and lists every scope with what it grants', () => {
    expect(statement.rest?.[0]?.security?.service).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }]);
    expect(statement.rest?.[0]?.security?.description).toContain('- `system/Location.rs`: read beds');
  });
});
