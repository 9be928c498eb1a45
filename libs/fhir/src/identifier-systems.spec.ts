import { IDENTIFIER_SYSTEMS } from '@lienthong/vn-standards';
import {
  IDENTIFIER_SYSTEM_URIS,
  facilityOfLocalIdSystem,
  identifierSystemOfUri,
  identifierSystemUri,
  localIdSystemUri,
  parseIdentifierSystem,
} from './identifier-systems';

describe('identifier-system URIs', () => {
  it('keeps the published URIs (hospital systems search by them)', () => {
    expect(IDENTIFIER_SYSTEM_URIS).toEqual({
      cccd: 'https://lienthong.vn/fhir/sid/cccd',
      cmnd: 'https://lienthong.vn/fhir/sid/cmnd',
      passport: 'https://lienthong.vn/fhir/sid/passport',
      eid: 'https://lienthong.vn/fhir/sid/eid',
      bhyt: 'https://lienthong.vn/fhir/sid/bhyt',
    });
    expect(localIdSystemUri('79001')).toBe('https://lienthong.vn/fhir/sid/local/79001');
  });

  it('maps every identifier kind to a distinct URI and back', () => {
    const uris = IDENTIFIER_SYSTEMS.map(identifierSystemUri);
    expect(new Set(uris).size).toBe(IDENTIFIER_SYSTEMS.length);
    for (const system of IDENTIFIER_SYSTEMS) expect(identifierSystemOfUri(identifierSystemUri(system))).toBe(system);
    expect(identifierSystemOfUri('urn:oid:2.16.840.1.113883.4.1')).toBeUndefined();
    expect(identifierSystemOfUri('cccd')).toBeUndefined();
  });

  it('reads the facility back from a local-id system, only for a well-formed facility code', () => {
    expect(facilityOfLocalIdSystem(localIdSystemUri('01902'))).toBe('01902');
    expect(facilityOfLocalIdSystem(localIdSystemUri('0190'))).toBeUndefined();
    expect(facilityOfLocalIdSystem(localIdSystemUri('AB001'))).toBeUndefined();
    expect(facilityOfLocalIdSystem(`${localIdSystemUri('01902')}/x`)).toBeUndefined();
    expect(facilityOfLocalIdSystem('https://example.org/local/01902')).toBeUndefined();
  });

  it('parses a token system given as URI, bare kind or local-id system', () => {
    expect(parseIdentifierSystem('https://lienthong.vn/fhir/sid/bhyt')).toEqual({ kind: 'identifier', system: 'bhyt' });
    expect(parseIdentifierSystem('passport')).toEqual({ kind: 'identifier', system: 'passport' });
    expect(parseIdentifierSystem('https://lienthong.vn/fhir/sid/local/79001')).toEqual({ kind: 'local', facilityCode: '79001' });
    expect(parseIdentifierSystem('https://lienthong.vn/fhir/sid/ssn')).toBeUndefined();
    expect(parseIdentifierSystem('')).toBeUndefined();
  });
});
