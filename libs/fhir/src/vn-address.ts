import { province2025 } from '@lienthong/vn-standards';
import { compact } from './compact';
import { type fhir4 } from './r4';

/**
 * Vietnamese addresses in FHIR R4.
 *
 * A Vietnamese address is coded: a 2-digit province and a 5-digit commune (two levels since
 * 01/07/2025; the national administrative-unit list, Decision 19/2025/QĐ-TTg). R4's Address has only
 * free-text parts, so codes in `state`/`city` would be read as names by every receiver. We follow
 * the pattern national cores use (JP Core's prefecture and city codes, for one): the text elements
 * carry names where we know them (`state` = the province's name), and each code travels in an
 * Address extension whose value is a Coding with the code system. The two extensions are defined as
 * StructureDefinitions below (VN_ADDRESS_DEFINITIONS), so validators check them instead of guessing.
 */
export const VN_ADDRESS_PROVINCE_EXTENSION = 'https://lienthong.vn/fhir/StructureDefinition/vn-address-province';
export const VN_ADDRESS_COMMUNE_EXTENSION = 'https://lienthong.vn/fhir/StructureDefinition/vn-address-commune';
/** Province and commune codes share one list: 2 digits for a province, 5 for a commune. */
export const VN_ADMINISTRATIVE_UNIT_SYSTEM = 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit';

export interface VnAddressCodes {
  readonly provinceCode?: string;
  readonly communeCode?: string;
  readonly line?: string;
}

/** Our address fields → an R4 Address (undefined when there is nothing to say). */
export function vnAddress(address: VnAddressCodes): fhir4.Address | undefined {
  const province = address.provinceCode === undefined ? undefined : province2025(address.provinceCode);
  const coding = (url: string, code: string | undefined, display?: string): fhir4.Extension | undefined =>
    code === undefined ? undefined : { url, valueCoding: { system: VN_ADMINISTRATIVE_UNIT_SYSTEM, code, display } };
  const result = compact<fhir4.Address>({
    extension: [coding(VN_ADDRESS_PROVINCE_EXTENSION, address.provinceCode, province?.name), coding(VN_ADDRESS_COMMUNE_EXTENSION, address.communeCode)].filter(
      (e): e is fhir4.Extension => e !== undefined,
    ),
    line: address.line === undefined ? undefined : [address.line],
    state: province?.name,
    country: 'VN',
  });
  return result.extension === undefined && result.line === undefined ? undefined : result;
}

/**
 * An R4 Address → our codes: from the extensions; for senders that put bare codes in `state`/`city`
 * (what this service itself wrote before the extensions), a value shaped like a code is taken too.
 */
export function vnAddressCodes(address: fhir4.Address): VnAddressCodes {
  const coded = (url: string) => address.extension?.find((e) => e.url === url)?.valueCoding?.code;
  const provinceCode = coded(VN_ADDRESS_PROVINCE_EXTENSION) ?? (/^\d{2}$/.test(address.state ?? '') ? address.state : undefined);
  const communeCode = coded(VN_ADDRESS_COMMUNE_EXTENSION) ?? (/^\d{5}$/.test(address.city ?? '') ? address.city : undefined);
  const line = address.line?.join(', ');
  return { ...(provinceCode !== undefined ? { provinceCode } : {}), ...(communeCode !== undefined ? { communeCode } : {}), ...(line ? { line } : {}) };
}

function addressExtension(id: string, url: string, title: string, definition: string, codeLength: number): fhir4.StructureDefinition {
  return {
    resourceType: 'StructureDefinition',
    id,
    url,
    version: '1.0.0',
    name: title.replace(/[^A-Za-z]/g, ''),
    title,
    status: 'active',
    publisher: 'Liên Thông',
    description: definition,
    fhirVersion: '4.0.1',
    kind: 'complex-type',
    abstract: false,
    context: [{ type: 'element', expression: 'Address' }],
    type: 'Extension',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
    derivation: 'constraint',
    differential: {
      element: [
        { id: 'Extension', path: 'Extension', short: title, definition, min: 0, max: '1' },
        { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
        { id: 'Extension.url', path: 'Extension.url', fixedUri: url },
        { id: 'Extension.value[x]', path: 'Extension.value[x]', min: 1, type: [{ code: 'Coding' }] },
        { id: 'Extension.value[x].system', path: 'Extension.value[x].system', min: 1, fixedUri: VN_ADMINISTRATIVE_UNIT_SYSTEM },
        {
          id: 'Extension.value[x].code',
          path: 'Extension.value[x].code',
          min: 1,
          constraint: [
            {
              key: `${id}-1`,
              severity: 'error',
              human: `A ${codeLength}-digit code`,
              expression: `matches('^[0-9]{${codeLength}}$')`,
            },
          ],
        },
      ],
    },
  };
}

/** The definitions of the extensions above, for validators and for publishing beside the API. */
export const VN_ADDRESS_DEFINITIONS: readonly fhir4.StructureDefinition[] = Object.freeze([
  addressExtension(
    'vn-address-province',
    VN_ADDRESS_PROVINCE_EXTENSION,
    'Vietnamese province code',
    'The province (tỉnh / thành phố trực thuộc trung ương) of the address as its 2-digit code in the national administrative-unit list.',
    2,
  ),
  addressExtension(
    'vn-address-commune',
    VN_ADDRESS_COMMUNE_EXTENSION,
    'Vietnamese commune code',
    'The commune (xã / phường / đặc khu) of the address as its 5-digit code in the national administrative-unit list.',
    5,
  ),
]);
