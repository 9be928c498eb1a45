import { fhirUrls, resourceUrl, searchSetBundle } from './bundle';
import { type fhir4 } from './r4';

const patient = (id: string): fhir4.Patient & { id: string } => ({ resourceType: 'Patient', id, identifier: [] });

describe('fhirUrls', () => {
  const request = { protocol: 'http', host: 'localhost:3001', url: '/fhir/Patient?identifier=cccd%7C079185000123' };

  it('derives base and self from the request', () => {
    expect(fhirUrls(request, '/fhir')).toEqual({
      baseUrl: 'http://localhost:3001/fhir',
      selfUrl: 'http://localhost:3001/fhir/Patient?identifier=cccd%7C079185000123',
    });
  });

  it('prefers a configured public base, for self as well', () => {
    expect(fhirUrls(request, '/fhir/', 'https://hie.example.vn/identity/fhir/')).toEqual({
      baseUrl: 'https://hie.example.vn/identity/fhir',
      selfUrl: 'https://hie.example.vn/identity/fhir/Patient?identifier=cccd%7C079185000123',
    });
  });

  it('does not mistake a longer path for the base', () => {
    expect(fhirUrls({ ...request, url: '/fhirx/Patient' }, '/fhir', 'https://hie.example.vn/fhir').selfUrl).toBe('http://localhost:3001/fhirx/Patient');
  });
});

describe('searchSetBundle', () => {
  const urls = { baseUrl: 'https://hie.example.vn/fhir', selfUrl: 'https://hie.example.vn/fhir/Patient?identifier=x' };

  it('absolute fullUrls, match mode, total, self link; empty members dropped', () => {
    const bundle = searchSetBundle(urls, [{ resource: patient('p-1') }, { resource: patient('p-2'), score: 0.97 }]);
    expect(bundle).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 2,
      link: [{ relation: 'self', url: 'https://hie.example.vn/fhir/Patient?identifier=x' }],
      entry: [
        { fullUrl: 'https://hie.example.vn/fhir/Patient/p-1', resource: { resourceType: 'Patient', id: 'p-1' }, search: { mode: 'match' } },
        { fullUrl: 'https://hie.example.vn/fhir/Patient/p-2', resource: { resourceType: 'Patient', id: 'p-2' }, search: { mode: 'match', score: 0.97 } },
      ],
    });
  });

  it('an empty result has total 0 and no entry array', () => {
    const bundle = searchSetBundle(urls, []);
    expect(bundle.total).toBe(0);
    expect(bundle).not.toHaveProperty('entry');
  });

  it('counts only matches in total unless told the full count', () => {
    const entries = [{ resource: patient('p-1') }, { resource: patient('p-2'), mode: 'include' as const }];
    expect(searchSetBundle(urls, entries).total).toBe(1);
    expect(searchSetBundle(urls, entries, 40).total).toBe(40);
    expect(searchSetBundle(urls, entries).entry?.[1]?.search).toEqual({ mode: 'include' });
  });

  it('carries search extensions (e.g. a match grade)', () => {
    const grade = { url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'certain' };
    expect(searchSetBundle(urls, [{ resource: patient('p-1'), score: 1, extension: [grade] }]).entry?.[0]?.search).toEqual({ mode: 'match', score: 1, extension: [grade] });
  });

  it('escapes ids in fullUrl and tolerates a trailing slash on the base', () => {
    expect(resourceUrl('https://hie.example.vn/fhir/', { resourceType: 'Patient', id: 'a b' })).toBe('https://hie.example.vn/fhir/Patient/a%20b');
  });
});
