/**
 * The vocabulary of Law 91/2025/QH15 (personal data protection) and Decree 356/2025 as Liên Thông
 * speaks it: why data is read, which kinds of health data a consent names, how the consent was
 * evidenced and who may give it for someone else. One definition: the platform's purpose header,
 * the consent contracts, consent-service's request schemas and its tables all derive from these.
 */

/** Why the data is read (DESIGN.md, Consent). Travels in `X-Purpose-Of-Use` and lands in every audit row. */
export const PURPOSES_OF_USE = ['treatment', 'emergency', 'referral', 'public-health', 'research-deidentified'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/**
 * Sensitive health data the law asks to be named explicitly: a consent to "lab" never covers an HIV
 * result, and the patient must be told which of their data is sensitive.
 */
export const SENSITIVE_DATA_CATEGORIES = ['hiv', 'mental-health', 'genetics', 'sexual-reproductive-health'] as const;
export type SensitiveDataCategory = (typeof SENSITIVE_DATA_CATEGORIES)[number];

/** The ordinary categories of a medical record. */
export const ORDINARY_DATA_CATEGORIES = ['lab', 'imaging', 'encounters', 'prescriptions', 'documents'] as const;

/** Every category a consent, a decision or a catalogue entry may name. */
export const DATA_CATEGORIES = [...ORDINARY_DATA_CATEGORIES, ...SENSITIVE_DATA_CATEGORIES] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export function isSensitiveCategory(category: DataCategory): category is SensitiveDataCategory {
  return (SENSITIVE_DATA_CATEGORIES as readonly string[]).includes(category);
}

/**
 * How a consent (or a refusal, or a withdrawal) was given: at the desk, on signed paper (the scan's
 * SHA-256 is kept), through VNeID (its transaction reference), or by a code sent by SMS (the message reference).
 */
export const CONSENT_CHANNELS = ['in-person', 'signed-paper', 'vneid', 'sms-code'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** Who may consent for a minor or a person without capacity (Civil Code, Law 91 art. 24). */
export const REPRESENTATIVE_RELATIONSHIPS = ['parent', 'guardian', 'spouse', 'adult-child', 'sibling', 'court-appointed'] as const;
export type RepresentativeRelationship = (typeof REPRESENTATIVE_RELATIONSHIPS)[number];

/** From this age a child's own consent is needed beside the representative's (Law 91/2025, art. 24). */
export const CHILD_OWN_CONSENT_AGE = 7;
