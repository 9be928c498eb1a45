import { capabilityStatement, type fhir4 } from '@lienthong/fhir';
import { Scopes } from '../../../scopes';

/**
 * What identity-service's FHIR server supports, for `GET /fhir/metadata`. Kept beside the controller:
 * a route added there without a line here is a route clients cannot discover.
 */
export function identityCapabilityStatement(baseUrl: string, date: Date): fhir4.CapabilityStatement {
  return capabilityStatement({
    software: { name: 'Liên Thông identity-service' },
    description: 'Master patient index of the Liên Thông health information exchange: enterprise patient id ↔ CCCD ↔ facility-local ids.',
    baseUrl,
    date,
    scopes: [
      { scope: Scopes.patientRead, grants: 'read and search Patient, $ihe-pix and $match (the last two also need the cross-reference scope)' },
      { scope: Scopes.crossReference, grants: "learn other facilities' local ids ($ihe-pix, $match, links in Patient.identifier)" },
    ],
    resources: [
      {
        type: 'Patient',
        documentation:
          'Identifiers: `https://lienthong.vn/fhir/sid/{cccd,cmnd,passport,eid,bhyt}` and `https://lienthong.vn/fhir/sid/local/{facility code}`. ' +
          'A merged id reads as `active: false` with `link.type = replaced-by` to the survivor.',
        interaction: [{ code: 'read' }, { code: 'search-type', documentation: 'By `identifier` only.' }],
        versioning: 'no-version',
        readHistory: false,
        updateCreate: false,
        searchParam: [
          {
            name: 'identifier',
            definition: 'http://hl7.org/fhir/SearchParameter/Patient-identifier',
            type: 'token',
            documentation: '`system|value`; the system is required (a URI above or the bare kind, e.g. `cccd|…`).',
          },
        ],
        operation: [
          {
            name: 'ihe-pix',
            definition: 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix',
            documentation: 'IHE PIXm (ITI-83): `sourceIdentifier` and optional `targetSystem` (a facility local-id system).',
          },
          { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match', documentation: 'Parameters with `resource` (a Patient) and optional `onlyCertainMatches`.' },
        ],
      },
    ],
  });
}
