import { FhirOperationError } from '@lienthong/fhir';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { type PatientView } from '../../domain/disclosure';
import { type PatientMatch } from '../../use-cases/match-patients/match-patients.use-case';
import { fhirMatchInput, matchBundle, pixParameters, pixSource, pixTargetFacility, searchBundle, tokenSearch, toFhirPatient } from './patient-fhir.mapper';

const view: PatientView = {
  enterprisePatientId: '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e0f',
  status: 'active',
  fullName: 'Nguyễn Thị Thu Hà',
  birthDate: '1985-03',
  sex: 2,
  address: { provinceCode: '79', communeCode: '26734', line: '12 Lê Lợi' },
  phone: '912345678',
  identifiers: [
    { system: 'cccd', status: 'active', value: '079185000123' },
    { system: 'cmnd', status: 'cancelled', value: '025123456' },
    { system: 'bhyt', status: 'active' },
  ],
  links: [{ facilityCode: '79001', localId: 'BN-1' }],
  sources: [],
};

const urls = { baseUrl: 'https://hie.example.vn/fhir', selfUrl: 'https://hie.example.vn/fhir/Patient?identifier=x' };

/** The validation issues an error carries, or a failure when the call did not throw one. */
function violationsOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).code).toBe(IdentityErrorCode.Validation);
    return (error as IdentityError).violations;
  }
  throw new Error('expected an IdentityError');
}

describe('toFhirPatient', () => {
  it('maps demographics in Vietnamese name order with partial birth date', () => {
    const p = toFhirPatient(view);
    expect(p.name?.[0]).toEqual({ use: 'official', text: 'Nguyễn Thị Thu Hà', family: 'Nguyễn', given: ['Thị', 'Thu', 'Hà'] });
    expect(p.birthDate).toBe('1985-03');
    expect(p.gender).toBe('female');
    expect(p.telecom).toEqual([{ system: 'phone', value: '+84912345678' }]);
  });

  it('codes the province and commune in their extensions with the system, the province name in state', () => {
    expect(toFhirPatient(view).address).toEqual([
      {
        extension: [
          {
            url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-province',
            valueCoding: { system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: '79', display: 'Hồ Chí Minh' },
          },
          { url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-commune', valueCoding: { system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: '26734' } },
        ],
        line: ['12 Lê Lợi'],
        state: 'Hồ Chí Minh',
        country: 'VN',
      },
    ]);
    // No code in a free-text element: city and district stay empty rather than hold a number.
    expect(toFhirPatient(view).address?.[0]).not.toHaveProperty('city');
  });

  it('emits only identifier values the caller may see (old ones marked old), plus local ids', () => {
    expect(toFhirPatient(view).identifier).toEqual([
      { system: 'https://lienthong.vn/fhir/sid/cccd', value: '079185000123' },
      { system: 'https://lienthong.vn/fhir/sid/cmnd', value: '025123456', use: 'old' },
      { system: 'https://lienthong.vn/fhir/sid/local/79001', value: 'BN-1', use: 'usual' },
    ]);
  });

  it('leaves out what the patient does not have, never writing empty elements', () => {
    const bare = toFhirPatient({ enterprisePatientId: 'p-2', status: 'merged', fullName: 'Tám', sex: 3, identifiers: [{ system: 'bhyt', status: 'active' }], links: [], sources: [] });
    expect(bare).toEqual({ resourceType: 'Patient', id: 'p-2', active: false, name: [{ use: 'official', text: 'Tám' }], gender: 'unknown' });
  });

  it('a read of a merged id answers that id, inactive, replaced by the survivor (nothing else of the record)', () => {
    expect(toFhirPatient({ ...view, redirectedFrom: 'old-id' })).toEqual({
      resourceType: 'Patient',
      id: 'old-id',
      active: false,
      link: [{ other: { reference: `Patient/${view.enterprisePatientId}` }, type: 'replaced-by' }],
    });
  });
});

describe('token search parameters', () => {
  it('reads identifier and local-id systems, by URI or bare kind, normalising the value as registration does', () => {
    expect(tokenSearch('https://lienthong.vn/fhir/sid/cccd|079185000123', 'identifier')).toEqual({
      by: 'identifier',
      identifier: { system: 'cccd', value: '079185000123', indexValue: '079185000123' },
    });
    expect(tokenSearch('eid| ab-1234 ', 'identifier')).toEqual({ by: 'identifier', identifier: { system: 'eid', value: 'ab-1234', indexValue: 'AB-1234' } });
    expect(tokenSearch('https://lienthong.vn/fhir/sid/local/01902|TN-7', 'sourceIdentifier')).toEqual({ by: 'local-id', facilityCode: '01902', localId: 'TN-7' });
  });

  it('refuses an identifier value that breaks its system rules, naming the parameter and the rule', () => {
    expect(violationsOf(() => tokenSearch('https://lienthong.vn/fhir/sid/cccd|07918500012', 'identifier'))).toEqual([
      expect.objectContaining({ field: 'identifier', rule: expect.stringMatching(/^cccd\./) }),
    ]);
  });

  it('refuses a malformed token or an unknown system, naming the parameter', () => {
    expect(violationsOf(() => tokenSearch(undefined, 'identifier'))).toEqual([{ field: 'identifier', rule: 'fhir.token', message: 'identifier must be system|value' }]);
    expect(violationsOf(() => tokenSearch('cccd|', 'identifier'))).toEqual([expect.objectContaining({ field: 'identifier' })]);
    expect(violationsOf(() => tokenSearch('urn:oid:1.2.3|x', 'sourceIdentifier'))).toEqual([
      { field: 'sourceIdentifier', rule: 'fhir.token', message: 'unknown identifier system urn:oid:1.2.3' },
    ]);
  });

  const known = (code: string) => code === '79001';
  /** What an ITI-83 refusal carries: status, issue code and the wording the profile prescribes. */
  const refusal = (call: () => unknown) => {
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(FhirOperationError);
      const { status, issueType, diagnostics } = error as FhirOperationError;
      return { status, issueType, diagnostics };
    }
    throw new Error('expected a FhirOperationError');
  };

  it('PIXm targetSystem: a registered facility local-id system, else 403 code-invalid "targetSystem not found" (ITI-83 case 4)', () => {
    expect(pixTargetFacility(undefined, known)).toBeUndefined();
    expect(pixTargetFacility('https://lienthong.vn/fhir/sid/local/79001', known)).toBe('79001');
    const notFound = { status: 403, issueType: 'code-invalid', diagnostics: 'targetSystem not found' };
    expect(refusal(() => pixTargetFacility('https://lienthong.vn/fhir/sid/local/79999', known))).toEqual(notFound);
    expect(refusal(() => pixTargetFacility('https://lienthong.vn/fhir/sid/cccd', known))).toEqual(notFound);
    expect(refusal(() => pixTargetFacility('urn:oid:1.2.3', known))).toEqual(notFound);
  });

  it('PIXm sourceIdentifier: an unknown domain is 400 code-invalid (ITI-83 case 3); a malformed token stays a validation error', () => {
    const notFound = { status: 400, issueType: 'code-invalid', diagnostics: 'sourceIdentifier Assigning Authority not found' };
    expect(refusal(() => pixSource('urn:oid:1.2.3|x', known))).toEqual(notFound);
    expect(refusal(() => pixSource('https://lienthong.vn/fhir/sid/local/79999|BN-1', known))).toEqual(notFound);
    expect(pixSource('https://lienthong.vn/fhir/sid/local/79001|BN-1', known)).toEqual({ by: 'local-id', facilityCode: '79001', localId: 'BN-1' });
    expect(violationsOf(() => pixSource('nonsense', known))).toEqual([expect.objectContaining({ field: 'sourceIdentifier', rule: 'fhir.token' })]);
  });
});

describe('PIXm and searchset responses', () => {
  it('PIXm lists each facility id, then the enterprise id', () => {
    expect(pixParameters([{ enterprisePatientId: 'p-1', links: [{ facilityCode: '01902', localId: 'TN-7' }] }])).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'targetIdentifier', valueIdentifier: { system: 'https://lienthong.vn/fhir/sid/local/01902', value: 'TN-7' } },
        { name: 'targetId', valueReference: { reference: 'Patient/p-1' } },
      ],
    });
    expect(pixParameters([{ enterprisePatientId: 'p-1', links: [] }])).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'targetId', valueReference: { reference: 'Patient/p-1' } }] });
  });

  it('PIXm for an identifier of no patient (the caller may know of) is 404 not-found (ITI-83 case 2)', () => {
    expect(() => pixParameters([])).toThrow(expect.objectContaining({ status: 404, issueType: 'not-found', diagnostics: 'sourceIdentifier Patient Identifier not found' }));
  });

  it('search: absolute fullUrl per patient, total and self link', () => {
    const bundle = searchBundle(urls, [view]);
    expect(bundle).toMatchObject({ type: 'searchset', total: 1, link: [{ relation: 'self', url: urls.selfUrl }] });
    expect(bundle.entry).toEqual([{ fullUrl: `https://hie.example.vn/fhir/Patient/${view.enterprisePatientId}`, resource: toFhirPatient(view), search: { mode: 'match' } }]);
  });

  it('$match: a 0..1 score from the weight and the IHE match grade', () => {
    const matches: PatientMatch[] = [
      { view, weight: Number.POSITIVE_INFINITY, grade: 'certain' },
      { view: { ...view, enterprisePatientId: 'p-2' }, weight: 0, grade: 'possible' },
    ];
    expect(matchBundle(urls, matches).entry?.map((e) => e.search)).toEqual([
      { mode: 'match', score: 1, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'certain' }] },
      { mode: 'match', score: 0.5, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'possible' }] },
    ]);
  });
});

describe('fhirMatchInput', () => {
  const patient = {
    resourceType: 'Patient',
    name: [{ family: 'Trần', given: ['Văn', 'Nam'] }],
    gender: 'male',
    birthDate: '1990-05-17',
    identifier: [
      { system: 'https://lienthong.vn/fhir/sid/cccd', value: '001090000123' },
      { system: 'urn:oid:1.2.3', value: 'ignored' },
    ],
    address: [
      {
        extension: [
          { url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-province', valueCoding: { system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: '01' } },
          { url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-commune', valueCoding: { system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: '00004' } },
        ],
        state: 'Hà Nội',
      },
    ],
    telecom: [{ system: 'email', value: 'a@b.vn' }, { system: 'phone', value: '0912345678' }],
  };

  it('turns a Parameters resource into registration-shaped input', () => {
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, { name: 'onlyCertainMatches', valueBoolean: true }] };
    expect(fhirMatchInput(body)).toEqual({
      input: {
        fullName: 'Trần Văn Nam',
        sex: 1,
        birthDate: '1990-05-17',
        address: { provinceCode: '01', communeCode: '00004' },
        phone: '0912345678',
        identifiers: [{ system: 'cccd', value: '001090000123' }],
      },
      onlyCertain: true,
    });
  });

  it('still reads bare codes a sender put in state and city, but never a name as a code', () => {
    const withAddress = (address: unknown) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { ...patient, address: [address] } }] });
    expect(fhirMatchInput(withAddress({ state: '01', city: '00004' })).input['address']).toEqual({ provinceCode: '01', communeCode: '00004' });
    expect(fhirMatchInput(withAddress({ state: 'Hà Nội', city: 'Ba Đình' })).input).not.toHaveProperty('address');
  });

  it('keeps an empty identifier list and defaults sex to unknown', () => {
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: 'Lê Thị Hoa' }] } }] };
    expect(fhirMatchInput(body)).toEqual({ input: { fullName: 'Lê Thị Hoa', sex: 3, identifiers: [] }, onlyCertain: false });
  });

  it('refuses anything but Parameters holding a Patient, pointing at the problem', () => {
    expect(violationsOf(() => fhirMatchInput(patient))).toEqual([{ pointer: '#/resourceType', rule: 'fhir.match', message: 'body must be a Parameters resource' }]);
    expect(violationsOf(() => fhirMatchInput(undefined))).toEqual([expect.objectContaining({ pointer: '#/resourceType' })]);
    expect(violationsOf(() => fhirMatchInput({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Practitioner' } }] }))).toEqual([
      expect.objectContaining({ pointer: '#/parameter' }),
    ]);
  });
});
