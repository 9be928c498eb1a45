import { CONSENT_CHANNELS, DATA_CATEGORIES, FACILITY_LEVELS, PURPOSES_OF_USE } from '@lienthong/vn-standards';
import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';
import { enterprisePatientIdSchema, facilityCodeSchema, provinceCodeSchema } from './identity.events';

/**
 * consent-service events on `consent.v1`, keyed by enterprise patient id. They say what changed in a
 * patient's consents — scope, period, channel — so the exchange can stop or start deliveries and
 * analytics can count coverage. Evidence documents, names and free-text reasons stay in consent-service.
 */

export const purposeSchema = z.enum(PURPOSES_OF_USE);
export const dataCategorySchema = z.enum(DATA_CATEGORIES);
export const consentChannelSchema = z.enum(CONSENT_CHANNELS);

/** Whom a consent names. Several may be listed; a consent applies to a facility any of them covers. */
export const granteeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('any-facility') }),
  z.object({ kind: z.literal('facilities'), facilityCodes: z.array(facilityCodeSchema).min(1).max(100) }),
  z.object({ kind: z.literal('levels'), levels: z.array(z.enum(FACILITY_LEVELS)).min(1) }),
  z.object({ kind: z.literal('province'), provinceCode: provinceCodeSchema }),
  /** The facilities the patient is registered at (identity links), and later those referred to. */
  z.object({ kind: z.literal('care-relationship') }),
]);
export type Grantee = z.infer<typeof granteeSchema>;

const isoTime = z.iso.datetime({ offset: true });

/** What a consent version covers: purposes × categories × grantees over a period. */
export const consentScopeSchema = z.object({
  purposes: z.array(purposeSchema).min(1),
  categories: z.array(dataCategorySchema).min(1),
  grantees: z.array(granteeSchema).min(1),
  validFrom: isoTime,
  /** Null: until withdrawn. */
  validUntil: isoTime.nullable(),
});

const versionRef = {
  consentId: z.uuid(),
  version: z.number().int().min(1),
  enterprisePatientId: enterprisePatientIdSchema,
};

const recorded = {
  recordedAt: isoTime,
  recordedAtFacility: facilityCodeSchema,
  channel: consentChannelSchema,
  /** Given by a legal representative (minor, person without capacity) rather than the patient. */
  byRepresentative: z.boolean(),
};

export const ConsentGrantedV1 = defineEvent({
  type: 'vn.lienthong.consent.consent.granted',
  topic: Topics.consentV1,
  schema: z.object({ ...versionRef, ...recorded, scope: consentScopeSchema }),
  keyOf: (d) => d.enterprisePatientId,
});

export const ConsentRefusedV1 = defineEvent({
  type: 'vn.lienthong.consent.consent.refused',
  topic: Topics.consentV1,
  schema: z.object({ ...versionRef, ...recorded, scope: consentScopeSchema }),
  keyOf: (d) => d.enterprisePatientId,
});

/** The version withdrawn and the scope that stops being permitted from `recordedAt`. */
export const ConsentWithdrawnV1 = defineEvent({
  type: 'vn.lienthong.consent.consent.withdrawn',
  topic: Topics.consentV1,
  schema: z.object({ ...versionRef, ...recorded, scope: consentScopeSchema }),
  keyOf: (d) => d.enterprisePatientId,
});

/** Published when a grant's period ends (within seconds), once, whether or not anyone asked since. */
export const ConsentExpiredV1 = defineEvent({
  type: 'vn.lienthong.consent.consent.expired',
  topic: Topics.consentV1,
  schema: z.object({ ...versionRef, expiredAt: isoTime, scope: consentScopeSchema }),
  keyOf: (d) => d.enterprisePatientId,
});

/** Break-the-glass: a facility declared an emergency and may read this patient until `expiresAt`; the patient is to be told. */
export const EmergencyAccessGrantedV1 = defineEvent({
  type: 'vn.lienthong.consent.emergency-access.granted',
  topic: Topics.consentV1,
  schema: z.object({
    grantId: z.uuid(),
    enterprisePatientId: enterprisePatientIdSchema,
    facilityCode: facilityCodeSchema,
    /** The clinician as the facility's HIS identifies them (no name). */
    clinicianId: z.string().min(1).max(100),
    grantedAt: isoTime,
    expiresAt: isoTime,
  }),
  keyOf: (d) => d.enterprisePatientId,
});

export const CONSENT_EVENTS = [ConsentGrantedV1, ConsentRefusedV1, ConsentWithdrawnV1, ConsentExpiredV1, EmergencyAccessGrantedV1] as const;
