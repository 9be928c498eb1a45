import { compact } from './compact';
import { FHIR_CONTENT_TYPE, type fhir4 } from './r4';

/** What a service says about itself in `GET [base]/metadata` (R4 §3.1.0.9 "capabilities"). */
export interface ServerCapabilities {
  /** The service, e.g. `identity-service`, and its version. */
  readonly software: { readonly name: string; readonly version?: string };
  /** Human description of this deployment. */
  readonly description: string;
  /** The absolute FHIR base the statement describes (`implementation.url`). */
  readonly baseUrl: string;
  /** When the statement was produced (R4 requires a date). */
  readonly date: Date;
  /** Scopes a client may be granted, with what each allows: listed in `rest.security`. */
  readonly scopes: readonly { readonly scope: string; readonly grants: string }[];
  readonly resources: readonly fhir4.CapabilityStatementRestResource[];
}

/** The R4 instance CapabilityStatement of a JSON-only server secured with SMART Backend Services tokens. */
export function capabilityStatement(capabilities: ServerCapabilities): fhir4.CapabilityStatement {
  const scopeList = capabilities.scopes.map((s) => `- \`${s.scope}\`: ${s.grants}`).join('\n');
  return compact<fhir4.CapabilityStatement>({
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: capabilities.date.toISOString(),
    publisher: 'Liên Thông',
    kind: 'instance',
    software: { name: capabilities.software.name, version: capabilities.software.version },
    implementation: { description: capabilities.description, url: capabilities.baseUrl },
    fhirVersion: '4.0.1',
    // JSON only: `json` is the short form clients send in `_format`, the media type the long one.
    format: ['json', FHIR_CONTENT_TYPE],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description:
            'OAuth 2.0 bearer tokens (JWT) in the SMART Backend Services style: a facility system, a service acting for a facility ' +
            '(`X-Act-For-Facility`), or a person. Purpose of use travels in `X-Purpose-Of-Use`. Scopes:\n\n' +
            scopeList,
        },
        resource: [...capabilities.resources],
      },
    ],
  });
}
