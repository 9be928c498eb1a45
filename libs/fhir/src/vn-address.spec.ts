import { VN_ADDRESS_COMMUNE_EXTENSION, VN_ADDRESS_DEFINITIONS, VN_ADDRESS_PROVINCE_EXTENSION, VN_ADMINISTRATIVE_UNIT_SYSTEM, vnAddress, vnAddressCodes } from './vn-address';

const coding = (url: string, code: string, display?: string) => ({ url, valueCoding: { system: VN_ADMINISTRATIVE_UNIT_SYSTEM, code, ...(display ? { display } : {}) } });

describe('Vietnamese addresses in FHIR', () => {
  it('codes go in extensions with their system; the province name in state; no code in a text element', () => {
    expect(vnAddress({ provinceCode: '01', communeCode: '00004', line: '1 Tràng Tiền' })).toEqual({
      extension: [coding(VN_ADDRESS_PROVINCE_EXTENSION, '01', 'Hà Nội'), coding(VN_ADDRESS_COMMUNE_EXTENSION, '00004')],
      line: ['1 Tràng Tiền'],
      state: 'Hà Nội',
      country: 'VN',
    });
  });

  it('an unknown province code keeps its code and leaves state out; nothing known, no address', () => {
    expect(vnAddress({ provinceCode: '99' })).toEqual({ extension: [coding(VN_ADDRESS_PROVINCE_EXTENSION, '99')], country: 'VN' });
    expect(vnAddress({})).toBeUndefined();
  });

  it('reads back what it writes, and bare codes in state/city, never names', () => {
    const address = { provinceCode: '79', communeCode: '26734', line: '12 Lê Lợi' };
    const written = vnAddress(address);
    expect(written && vnAddressCodes(written)).toEqual(address);
    expect(vnAddressCodes({ state: '79', city: '26734' })).toEqual({ provinceCode: '79', communeCode: '26734' });
    expect(vnAddressCodes({ state: 'Hồ Chí Minh', city: 'Bến Thành' })).toEqual({});
  });

  it('defines each extension it writes: on Address, one Coding in our system', () => {
    expect(VN_ADDRESS_DEFINITIONS.map((d) => d.url)).toEqual([VN_ADDRESS_PROVINCE_EXTENSION, VN_ADDRESS_COMMUNE_EXTENSION]);
    for (const d of VN_ADDRESS_DEFINITIONS) {
      expect(d).toMatchObject({ resourceType: 'StructureDefinition', type: 'Extension', fhirVersion: '4.0.1', context: [{ type: 'element', expression: 'Address' }] });
      expect(d.differential?.element).toContainEqual(expect.objectContaining({ path: 'Extension.value[x]', type: [{ code: 'Coding' }] }));
    }
  });
});
