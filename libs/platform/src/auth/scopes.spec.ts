import { isRequirableScope, missingScopes, parseScope, scopeSatisfies, splitScopes } from './scopes';

describe('SMART scopes', () => {
  it.each([
    ['system/Patient.rs', 'system/Patient.r', true],
    ['system/Patient.rs', 'system/Patient.s', true],
    ['system/Patient.rs', 'system/Patient.rs', true],
    ['system/Patient.r', 'system/Patient.rs', false],
    ['system/Patient.rs', 'system/Patient.c', false],
    ['system/Observation.cruds', 'system/Observation.u', true],
    ['system/Observation.cruds', 'system/Observation.cruds', true],
    ['system/*.rs', 'system/Observation.r', true],
    ['system/*.rs', 'system/Observation.c', false],
    ['system/*.cruds', 'system/Anything.d', true],
    ['system/Patient.rs', 'system/Observation.r', false],
    ['user/Patient.rs', 'system/Patient.r', false],
    ['system/Patient.read', 'system/Patient.rs', true],
    ['system/Patient.write', 'system/Patient.c', true],
    ['system/Patient.write', 'system/Patient.r', false],
    ['system/Patient.*', 'system/Patient.cruds', true],
  ])('%s grants %s: %s', (granted, required, expected) => {
    expect(scopeSatisfies([granted], required)).toBe(expected);
  });

  it('combines permissions across granted scopes', () => {
    expect(scopeSatisfies(['system/Patient.r', 'system/Patient.s'], 'system/Patient.rs')).toBe(true);
    expect(scopeSatisfies(['system/Patient.r', 'system/*.s'], 'system/Patient.rs')).toBe(true);
  });

  it('rejects malformed scopes', () => {
    expect(parseScope('system/Patient.sr')).toBeUndefined(); // letters out of order
    expect(parseScope('system/Patient.rr')).toBeUndefined();
    expect(parseScope('system/Patient.x')).toBeUndefined();
    expect(parseScope('openid')).toBeUndefined();
    expect(parseScope('admin/Patient.r')).toBeUndefined();
    expect(scopeSatisfies(['system/Patient.sr'], 'system/Patient.r')).toBe(false);
    expect(() => scopeSatisfies([], 'nonsense')).toThrow(/not a SMART resource scope/);
  });

  it('splits the scope claim', () => {
    expect(splitScopes(' system/Patient.rs  system/Observation.cruds ')).toEqual(['system/Patient.rs', 'system/Observation.cruds']);
    expect(splitScopes(['system/Patient.rs', 3])).toEqual(['system/Patient.rs']);
    expect(splitScopes(undefined)).toEqual([]);
  });

  it('lists what is missing', () => {
    expect(missingScopes(['system/Patient.rs'], ['system/Patient.r', 'system/Observation.r'])).toEqual(['system/Observation.r']);
  });
});

describe('Liên Thông platform scopes', () => {
  it('are granted verbatim, never implied by a SMART wildcard', () => {
    expect(scopeSatisfies(['lienthong/patient.crossref'], 'lienthong/patient.crossref')).toBe(true);
    expect(scopeSatisfies(['system/*.cruds'], 'lienthong/patient.crossref')).toBe(false);
    expect(scopeSatisfies(['lienthong/patient'], 'lienthong/patient.crossref')).toBe(false);
  });

  it('can be required next to SMART scopes, and typos are refused', () => {
    expect(isRequirableScope('lienthong/mpi.steward')).toBe(true);
    expect(isRequirableScope('system/Patient.rs')).toBe(true);
    expect(isRequirableScope('lienthong/')).toBe(false);
    expect(isRequirableScope('LienThong/Audit')).toBe(false);
  });
});
