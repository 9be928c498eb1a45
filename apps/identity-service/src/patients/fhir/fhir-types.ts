/**
 * The few FHIR R4 shapes this service emits (no FHIR type package is installed; these follow
 * hl7.org/fhir/R4 for the fields used).
 */
export interface FhirIdentifier {
  system: string;
  value: string;
  use?: 'usual' | 'official' | 'secondary' | 'old';
  period?: { end?: string };
}
export interface FhirExtension {
  url: string;
  valueCode?: string;
  valueString?: string;
}
export interface FhirReference {
  reference: string;
}
export interface FhirPatient {
  resourceType: 'Patient';
  id: string;
  meta?: { lastUpdated?: string; versionId?: string };
  active: boolean;
  identifier: FhirIdentifier[];
  name?: { use?: 'official'; text: string; family?: string; given?: string[] }[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  telecom?: { system: 'phone'; value: string }[];
  address?: { line?: string[]; city?: string; state?: string; country: string; extension?: FhirExtension[] }[];
  link?: { other: FhirReference; type: 'replaced-by' | 'replaces' | 'seealso' }[];
}
export interface FhirBundleEntry {
  fullUrl: string;
  resource: FhirPatient;
  search: { mode: 'match'; score?: number; extension?: FhirExtension[] };
}
export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'searchset';
  total: number;
  entry: FhirBundleEntry[];
}
export interface FhirParametersParameter {
  name: string;
  valueIdentifier?: FhirIdentifier;
  valueReference?: FhirReference;
  valueString?: string;
  valueCode?: string;
  valueBoolean?: boolean;
  valueInteger?: number;
  resource?: FhirPatient | Record<string, unknown>;
}
export interface FhirParameters {
  resourceType: 'Parameters';
  parameter: FhirParametersParameter[];
}
export interface FhirOperationOutcome {
  resourceType: 'OperationOutcome';
  issue: { severity: 'error' | 'warning'; code: string; diagnostics?: string; expression?: string[]; details?: { text: string } }[];
}
