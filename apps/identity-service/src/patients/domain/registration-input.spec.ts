import { IdentityError, type FieldViolation } from '../../domain/identity-error';
import { parseRegistration } from './registration-input';

const valid = {
  localId: 'BN-1',
  fullName: '  Nguyễn   Thị Thu Hà ',
  birthDate: '19850300',
  sex: 2,
  phone: '+84 912 345 678',
  identifiers: [
    { system: 'cccd', value: '079185000123' },
    { system: 'bhyt', value: 'DN4797900112233' },
  ],
};

function violations(body: unknown): readonly FieldViolation[] {
  try {
    parseRegistration(body);
  } catch (error) {
    if (error instanceof IdentityError) return error.violations;
    throw error;
  }
  throw new Error('expected an IdentityError');
}

describe('parseRegistration', () => {
  it('normalises name, partial birth date, phone and identifiers', () => {
    const r = parseRegistration(valid);
    expect(r.demographics).toMatchObject({ fullName: 'Nguyễn Thị Thu Hà', nameFolded: 'NGUYEN THI THU HA', birthDate: { year: 1985, month: 3 }, phone: '912345678' });
    expect(r.identifiers.map((i) => [i.system, i.indexValue])).toEqual([
      ['cccd', '079185000123'],
      ['bhyt', '7900112233'],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('names the field and rule of a bad CCCD (format, registration code) and a bad BHYT code', () => {
    expect(violations({ ...valid, identifiers: [{ system: 'cccd', value: '07918500012' }] })).toEqual([
      expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'cccd.format' }),
    ]);
    expect(violations({ ...valid, identifiers: [{ system: 'bhyt', value: 'x' }, { system: 'cccd', value: '003185000123' }] })).toEqual([
      expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'bhyt.format' }),
      expect.objectContaining({ pointer: '#/identifiers/1/value', rule: 'cccd.province-code' }),
    ]);
  });

  it('accepts CCCD digits that disagree with the demographics, as warnings', () => {
    const r = parseRegistration({ ...valid, sex: 1, birthDate: '1990' });
    expect(r.warnings.map((w) => w.rule).sort()).toEqual(['cccd.birth-year-mismatch', 'cccd.century-sex-mismatch']);
    expect(r.identifiers[0]?.flags).toEqual(['century-sex-mismatch', 'birth-year-mismatch']);
  });

  it('reports schema errors with pointers and refuses two active CCCDs', () => {
    expect(violations({ localId: '', sex: 4 }).map((v) => v.pointer)).toEqual(expect.arrayContaining(['#/localId', '#/fullName', '#/sex']));
    expect(violations({ ...valid, identifiers: [{ system: 'cccd', value: '079185000123' }, { system: 'cccd', value: '079185000124' }] })).toEqual([
      expect.objectContaining({ rule: 'identifiers.one-active-cccd' }),
    ]);
  });
});
