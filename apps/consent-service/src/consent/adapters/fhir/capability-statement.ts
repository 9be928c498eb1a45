import { capabilityStatement, type fhir4 } from '@lienthong/fhir';
import { ConsentScopes } from '../http/consents.controller';
import { DATA_CATEGORY_SYSTEM, FACILITY_SYSTEM, GRANTEE_SYSTEM, PURPOSE_OF_USE_SYSTEM } from './consent-fhir.mapper';

/**
 * What consent-service's FHIR server supports, for `GET /fhir/metadata`. Kept beside the controller:
 * a route added there without a line here is a route clients cannot discover.
 */
export function consentCapabilityStatement(baseUrl: string, date: Date): fhir4.CapabilityStatement {
  return capabilityStatement({
    software: { name: 'Liên Thông consent-service' },
    description: 'Patient consents of the Liên Thông health information exchange (Law 91/2025): purpose-bound, per data category, with evidence and full history.',
    baseUrl,
    date,
    scopes: [{ scope: ConsentScopes.read, grants: 'read, vread and search Consent — of patients the caller has a care relationship with or recorded a consent of (data stewards: any)' }],
    resources: [
      {
        type: 'Consent',
        documentation:
          `Each consent keeps every version (\`_history\`); \`meta.versionId\` is the version. status: granted → active, refused → rejected, withdrawn or expired → inactive. ` +
          `provision.purpose in \`${PURPOSE_OF_USE_SYSTEM}\`, provision.class (data categories; sensitive ones only when named) in \`${DATA_CATEGORY_SYSTEM}\`, ` +
          `provision.actor: facilities by \`${FACILITY_SYSTEM}\`, sets of facilities by \`${GRANTEE_SYSTEM}\`. ` +
          'sourceAttachment.hash is the base64 SHA-256 of the signed paper’s scan. Consents are recorded over REST (`POST /v1/consents`), not FHIR.',
        interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'search-type', documentation: 'By `patient` only; `_count` (1–200) pages, `next` links continue.' }],
        versioning: 'versioned',
        readHistory: false,
        updateCreate: false,
        searchParam: [
          {
            name: 'patient',
            definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
            type: 'reference',
            documentation: '`Patient/<enterprise patient id>` or the id itself (required).',
          },
        ],
      },
    ],
  });
}
