import {
  FACILITY_CODE_MESSAGE,
  FACILITY_CODE_PATTERN,
  FACILITY_LEVELS,
  HISTORICAL_TIERS,
  IDENTIFIER_SYSTEMS,
  LAB_QUALITY_LEVELS,
  PROVINCE_CODE_PATTERN,
} from '@lienthong/vn-standards';
import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/**
 * identity-service events. Payloads never carry a CCCD or any other identifier value, nor names:
 * subscribers learn *that* a patient exists at a facility under a local id, and coarse
 * demographics for aggregates. Identifier values stay in identity-service (encrypted).
 */

// The vocabulary (facility and province codes, identifier systems, levels, tiers) is vn-standards';
// the schemas below only put it on the wire, so a rule changes in one place for every service.
export const facilityCodeSchema = z.string().regex(FACILITY_CODE_PATTERN, FACILITY_CODE_MESSAGE);
export const provinceCodeSchema = z.string().regex(PROVINCE_CODE_PATTERN, 'province code is 2 digits');
export const identifierSystemSchema = z.enum(IDENTIFIER_SYSTEMS);
export const enterprisePatientIdSchema = z.uuid();
export const localPatientIdSchema = z.string().min(1).max(100);
export const sexSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);

const facilityLink = z.object({ facilityCode: facilityCodeSchema, localId: localPatientIdSchema });

/** How a registration was resolved to an enterprise patient id. */
export const matchOutcomeSchema = z.enum(['linked', 'review', 'created']);
export const linkMethodSchema = z.enum(['cccd', 'probabilistic', 'review-confirmed', 'local-id']);

export const PatientRegisteredV1 = defineEvent({
  type: 'vn.lienthong.identity.patient.registered',
  topic: Topics.identityPatientV1,
  schema: z.object({
    enterprisePatientId: enterprisePatientIdSchema,
    facilityCode: facilityCodeSchema,
    localId: localPatientIdSchema,
    outcome: matchOutcomeSchema,
    sex: sexSchema,
    birthYear: z.number().int().min(1880).max(2200).nullable(),
    provinceCode: provinceCodeSchema.nullable(),
    identifierSystems: z.array(identifierSystemSchema),
  }),
  keyOf: (d) => d.enterprisePatientId,
});

/** A patient at a facility under its local id: what every link event is about. */
const patientAtFacility = { enterprisePatientId: enterprisePatientIdSchema, facilityCode: facilityCodeSchema, localId: localPatientIdSchema };
/** Which demographic fields changed (names only: values never leave identity-service). */
const updatedData = z.object({ ...patientAtFacility, changedFields: z.array(z.string()).min(1) });
const linkedData = z.object({
  ...patientAtFacility,
  method: linkMethodSchema,
  /** Match weight for probabilistic links; null for deterministic ones. */
  score: z.number().nullable(),
});
const mergedData = z.object({ mergeId: z.uuid(), survivorId: enterprisePatientIdSchema, mergedId: enterprisePatientIdSchema, movedLinks: z.array(facilityLink) });
const unmergedData = z.object({ mergeId: z.uuid(), survivorId: enterprisePatientIdSchema, restoredId: enterprisePatientIdSchema, restoredLinks: z.array(facilityLink) });

export const PatientUpdatedV1 = defineEvent({
  type: 'vn.lienthong.identity.patient.updated',
  topic: Topics.identityPatientV1,
  schema: updatedData,
  keyOf: (d) => d.enterprisePatientId,
});

export const PatientLinkedV1 = defineEvent({
  type: 'vn.lienthong.identity.patient.linked',
  topic: Topics.identityPatientV1,
  schema: linkedData,
  keyOf: (d) => d.enterprisePatientId,
});

export const PatientMergedV1 = defineEvent({
  type: 'vn.lienthong.identity.patient.merged',
  topic: Topics.identityPatientV1,
  schema: mergedData,
  keyOf: (d) => d.survivorId,
});

export const PatientUnmergedV1 = defineEvent({
  type: 'vn.lienthong.identity.patient.unmerged',
  topic: Topics.identityPatientV1,
  schema: unmergedData,
  keyOf: (d) => d.survivorId,
});

/*
 * Links to sensitive facilities (`FacilityChangedV1.sensitive`: HIV clinic, mental hospital). A link's
 * mere existence is sensitive, so identity-service never puts one on `identity.patient.v1`: it goes
 * on the restricted topic below, which only the exchange may read (broker ACLs generated from the
 * topic registry). These are their own types, never the public ones on another topic: a consumer
 * decides what a message is by its type, and a public type must mean "public" wherever it is read.
 * Payloads carry what routing needs — who, where, under which local id, what happened — and no
 * demographics.
 */

export const SensitiveLinkRegisteredV1 = defineEvent({
  type: 'vn.lienthong.identity.sensitive-link.registered',
  topic: Topics.identityPatientRestrictedV1,
  schema: z.object({ ...patientAtFacility, outcome: matchOutcomeSchema }),
  keyOf: (d) => d.enterprisePatientId,
});

export const SensitiveLinkLinkedV1 = defineEvent({
  type: 'vn.lienthong.identity.sensitive-link.linked',
  topic: Topics.identityPatientRestrictedV1,
  schema: linkedData,
  keyOf: (d) => d.enterprisePatientId,
});

export const SensitiveLinkUpdatedV1 = defineEvent({
  type: 'vn.lienthong.identity.sensitive-link.updated',
  topic: Topics.identityPatientRestrictedV1,
  schema: updatedData,
  keyOf: (d) => d.enterprisePatientId,
});

/** The sensitive links a merge moved to the survivor (the public `merged` lists only the others). */
export const SensitiveLinksMergedV1 = defineEvent({
  type: 'vn.lienthong.identity.sensitive-link.merged',
  topic: Topics.identityPatientRestrictedV1,
  schema: mergedData.extend({ movedLinks: z.array(facilityLink).min(1) }),
  keyOf: (d) => d.survivorId,
});

/** The sensitive links an unmerge gave back to the restored patient. */
export const SensitiveLinksUnmergedV1 = defineEvent({
  type: 'vn.lienthong.identity.sensitive-link.unmerged',
  topic: Topics.identityPatientRestrictedV1,
  schema: unmergedData.extend({ restoredLinks: z.array(facilityLink).min(1) }),
  keyOf: (d) => d.survivorId,
});

export const facilityLevelSchema = z.enum(FACILITY_LEVELS);
export const historicalTierSchema = z.enum(HISTORICAL_TIERS);
/**
 * Decision 2429/QĐ-BYT lab quality rating. vn-standards counts levels as numbers; v1 of the facility
 * event published them as strings ('unrated', '1'…'5'), and a published payload never changes.
 */
export const labQualityLevelSchema = z.enum(LAB_QUALITY_LEVELS.map((level) => `${level}` as const));

export const FacilityChangedV1 = defineEvent({
  type: 'vn.lienthong.identity.facility.changed',
  topic: Topics.identityFacilityV1,
  schema: z.object({
    code: facilityCodeSchema,
    name: z.string().min(1),
    provinceCode: provinceCodeSchema,
    level: facilityLevelSchema,
    historicalTier: historicalTierSchema,
    labQualityLevel: labQualityLevelSchema,
    /** Test codes (MoH indicator or LOINC) covered by ISO 15189 accreditation. */
    iso15189Scope: z.array(z.string()),
    /** A facility whose mere involvement reveals sensitive data (HIV clinic, mental hospital). */
    sensitive: z.boolean(),
    validFrom: z.iso.date(),
    validTo: z.iso.date().nullable(),
    version: z.number().int().positive(),
  }),
  keyOf: (d) => d.code,
});

export const IDENTITY_PATIENT_EVENTS = [
  PatientRegisteredV1,
  PatientUpdatedV1,
  PatientLinkedV1,
  PatientMergedV1,
  PatientUnmergedV1,
] as const;
/** Only the exchange may read these (Topics.identityPatientRestrictedV1.restrictedTo). */
export const IDENTITY_RESTRICTED_PATIENT_EVENTS = [
  SensitiveLinkRegisteredV1,
  SensitiveLinkLinkedV1,
  SensitiveLinkUpdatedV1,
  SensitiveLinksMergedV1,
  SensitiveLinksUnmergedV1,
] as const;
export const IDENTITY_FACILITY_EVENTS = [FacilityChangedV1] as const;
