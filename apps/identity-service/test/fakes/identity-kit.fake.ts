import { outboxEventsOf, OutboxWriter } from '@lienthong/messaging';
import { FakeUnitOfWork } from '@lienthong/testing';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { loadIdentityKeys } from '../../src/config/identity-keys.config';
import { IdentifierCrypto } from '../../src/crypto/identifier-crypto';
import { GetFacilityUseCase } from '../../src/facilities/use-cases/get-facility/get-facility.use-case';
import { ListFacilitiesUseCase } from '../../src/facilities/use-cases/list-facilities/list-facilities.use-case';
import { UpsertFacilityUseCase } from '../../src/facilities/use-cases/upsert-facility/upsert-facility.use-case';
import { PatientMatcher } from '../../src/patients/domain/patient-matcher';
import { type RegisterPatientBody } from '../../src/patients/domain/registration-input';
import { CrossReferenceUseCase } from '../../src/patients/use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from '../../src/patients/use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from '../../src/patients/use-cases/match-patients/match-patients.use-case';
import { MergePatientsUseCase } from '../../src/patients/use-cases/merge-patients/merge-patients.use-case';
import { PatientResolver } from '../../src/patients/use-cases/patient-resolver';
import { ReadAuditUseCase } from '../../src/patients/use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from '../../src/patients/use-cases/register-patient/register-patient.use-case';
import { DecideReviewItemUseCase } from '../../src/patients/use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from '../../src/patients/use-cases/review-queue/list-review-items.use-case';
import { SearchPatientsUseCase } from '../../src/patients/use-cases/search-patients/search-patients.use-case';
import { UnmergePatientsUseCase } from '../../src/patients/use-cases/unmerge-patients/unmerge-patients.use-case';
import { InMemoryFacilityRegistry } from './facility-registry.fake';
import {
  InMemoryAuditTrail,
  InMemoryIdempotencyStore,
  InMemoryMergeLog,
  InMemoryPatientStore,
  InMemoryReviewQueue,
  InMemorySensitiveFacilities,
} from './patient-ports.fake';
import { facilityActor } from '../actors';

/** What a unit spec may not fake: the development keys (public, fake) encrypt and blind-index as in `nx serve`. */
export function testIdentifierCrypto(): IdentifierCrypto {
  return new IdentifierCrypto(loadIdentityKeys({ NODE_ENV: 'test' }));
}

const outboxWriter = () => new OutboxWriter({ source: '/lienthong/identity-service' });

/**
 * The patient use cases wired as IdentityModule wires them, on in-memory ports, with the real outbox
 * writer, identifier crypto and matcher. `sensitive` lists the facilities whose involvement is sensitive.
 */
export function patientKit(options: { sensitive?: readonly string[]; levels?: Readonly<Record<string, FacilityLevel>> } = {}) {
  const idempotency = new InMemoryIdempotencyStore();
  const sensitiveCodes = new Set(options.sensitive ?? []);
  const patients = new InMemoryPatientStore(idempotency, new Map(Object.entries(options.levels ?? {})), sensitiveCodes);
  const reviews = new InMemoryReviewQueue();
  const merges = new InMemoryMergeLog();
  const audit = new InMemoryAuditTrail();
  const sensitive = new InMemorySensitiveFacilities(sensitiveCodes);
  const uow = new FakeUnitOfWork([patients, reviews, merges, audit, idempotency], { events: outboxEventsOf });
  const outbox = outboxWriter();
  const crypto = testIdentifierCrypto();
  const matcher = new PatientMatcher();
  const resolver = new PatientResolver(patients, sensitive);
  const search = new SearchPatientsUseCase(uow, patients, resolver, audit, crypto);
  const merge = new MergePatientsUseCase(uow, patients, merges, audit, outbox, sensitive);
  return {
    uow,
    patients,
    reviews,
    merges,
    audit,
    idempotency,
    crypto,
    matcher,
    register: new RegisterPatientUseCase(uow, patients, reviews, idempotency, audit, outbox, crypto, matcher),
    getPatient: new GetPatientUseCase(uow, resolver, audit, crypto),
    search,
    crossReference: new CrossReferenceUseCase(search),
    match: new MatchPatientsUseCase(uow, patients, resolver, audit, matcher, crypto),
    merge,
    unmerge: new UnmergePatientsUseCase(uow, patients, merges, audit, outbox, sensitive),
    decideReview: new DecideReviewItemUseCase(uow, reviews, merge, audit),
    listReviews: new ListReviewItemsUseCase(uow, reviews, audit),
    readAudit: new ReadAuditUseCase(uow, audit, resolver, sensitive),
  };
}

export type PatientKit = ReturnType<typeof patientKit>;

/** A valid CCCD (Hà Nội, female, born 1987) and a BHYT card, consistent with `nguyenThiThuHa`. */
export const HA_CCCD = '001187012345';
export const HA_BHYT = 'GD4010123456789';

/** Nguyễn Thị Thu Hà as a hospital's HIS sends her, with her CCCD; `patch` changes what one facility types. */
export function nguyenThiThuHa(patch: Partial<RegisterPatientBody> = {}): RegisterPatientBody {
  return {
    localId: 'BM-0001',
    fullName: 'Nguyễn Thị Thu Hà',
    birthDate: '1987-04-09',
    sex: 2,
    address: { provinceCode: '01', communeCode: '01042' },
    phone: '0912345678',
    identifiers: [{ system: 'cccd', value: HA_CCCD }],
    ...patch,
  };
}

/**
 * Registers through the real use case (so identifiers, links and blocking keys are what the service
 * stores), then forgets what that committed and audited: a spec then sees only its own command.
 */
export async function seedPatient(kit: PatientKit, facilityCode: string, body: RegisterPatientBody): Promise<string> {
  const { enterprisePatientId } = await kit.register.execute({ actor: facilityActor(facilityCode), body });
  kit.uow.committed.length = 0;
  kit.audit.rows.length = 0;
  return enterprisePatientId;
}

export const BACH_MAI = '01901';
export const COMMUNE_STATION = '01001';
export const HA_CMND = '012345678';
/** Hà Nội's HIV outpatient clinic: sensitive in the seeded registry, so give it to `patientKit({ sensitive })`. */
export const HIV_CLINIC = '01907';
/** Another valid CCCD: a second person for the registry, never linked to Hà's. */
export const OTHER_CCCD = '001187054321';

/**
 * A second patient, first known at the HIV clinic (another CCCD, so never linked to Hà), then with
 * `alsoAt` at ordinary facilities under the same CCCD: what a steward later merges into Hà.
 */
export async function seedSensitivePatient(kit: PatientKit, alsoAt: readonly string[] = []): Promise<string> {
  const body = nguyenThiThuHa({ localId: 'HIV-0042', identifiers: [{ system: 'cccd', value: OTHER_CCCD }] });
  const id = await seedPatient(kit, HIV_CLINIC, body);
  for (const facility of alsoAt) await seedPatient(kit, facility, { ...body, localId: `${facility}-7` });
  return id;
}

/**
 * The duplicate a steward meets: Hà registered at Bạch Mai with her CCCD, then typed with a slip
 * ("Haf") and only her old CMND at a commune station (or `duplicateAt`), which the matcher sends to
 * review — a second patient plus an open review item.
 */
export async function seedDuplicatePair(kit: PatientKit, duplicateAt = COMMUNE_STATION): Promise<{ survivor: string; duplicate: string; reviewItemId: string }> {
  const survivor = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
  const duplicate = await seedPatient(kit, duplicateAt, nguyenThiThuHa({ localId: 'TYT-5', fullName: 'Nguyễn Thị Thu Haf', identifiers: [{ system: 'cmnd', value: HA_CMND }] }));
  const item = [...kit.reviews.items.values()].find((i) => i.incomingPatientId === duplicate && i.candidatePatientId === survivor);
  if (!item) throw new Error('the duplicate did not go to review: the matcher changed, pick another slip');
  return { survivor, duplicate, reviewItemId: item.id };
}

/** The facility use cases on an in-memory registry, with the real outbox writer. */
export function facilityKit() {
  const registry = new InMemoryFacilityRegistry();
  const uow = new FakeUnitOfWork([registry], { events: outboxEventsOf });
  return {
    uow,
    registry,
    upsert: new UpsertFacilityUseCase(uow, registry, outboxWriter()),
    get: new GetFacilityUseCase(uow, registry),
    list: new ListFacilitiesUseCase(uow, registry),
  };
}
