/**
 * The kinds of personal identifier Vietnamese hospital data carries (VN-STANDARDS.md §1-2). The one
 * list: identity-service's storage, the event contracts and the FHIR identifier-system URIs derive
 * from it.
 */
export const IDENTIFIER_SYSTEMS = ['cccd', 'cmnd', 'passport', 'eid', 'bhyt'] as const;
export type IdentifierSystem = (typeof IDENTIFIER_SYSTEMS)[number];

export function isIdentifierSystem(value: string): value is IdentifierSystem {
  return (IDENTIFIER_SYSTEMS as readonly string[]).includes(value);
}
