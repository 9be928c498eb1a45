import { FacilityChangedV1, PatientLinkedV1, PatientMergedV1, PatientRegisteredV1, PatientUnmergedV1 } from '@lienthong/contracts';
import { type InboxContext, type InboxEvent, OnEvent } from '@lienthong/messaging';
import { type ServiceActor } from '@lienthong/platform';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ApplyMergeUseCase } from '../../use-cases/apply-merge/apply-merge.use-case';
import { ApplyUnmergeUseCase } from '../../use-cases/apply-unmerge/apply-unmerge.use-case';
import { RecordFacilityUseCase } from '../../use-cases/record-facility/record-facility.use-case';
import { RecordPatientLinkUseCase } from '../../use-cases/record-patient-link/record-patient-link.use-case';

/**
 * Who applies identity's merges in the audit trail: lab-results-service itself, on its own account,
 * with the event's id as the request id (an audit row leads to the event).
 */
export const identityEventsActor = (eventId: string): ServiceActor => ({
  kind: 'service',
  subject: 'lab-results-service/identity-events',
  service: 'lab-results-service',
  scopes: [],
  purposeOfUse: 'treatment',
  requestId: eventId,
});

/**
 * identity.facility.v1 and identity.patient.v1, declaratively: each payload is validated from its
 * contract before the method runs, and each method runs once per event, in the inbox transaction
 * (`ctx.tx`). Updates carry nothing this service keeps, so they have no handler (skipped).
 */
@Controller()
export class IdentityEventsConsumer {
  constructor(
    private readonly recordFacility: RecordFacilityUseCase,
    private readonly recordPatientLink: RecordPatientLinkUseCase,
    private readonly applyMerge: ApplyMergeUseCase,
    private readonly applyUnmerge: ApplyUnmergeUseCase,
  ) {}

  @OnEvent(FacilityChangedV1)
  onFacilityChanged(@Payload() event: InboxEvent<typeof FacilityChangedV1>, @Ctx() ctx: InboxContext): void {
    this.recordFacility.execute(event.data, ctx.tx);
  }

  @OnEvent(PatientRegisteredV1)
  async onRegistered(@Payload() event: InboxEvent<typeof PatientRegisteredV1>, @Ctx() ctx: InboxContext): Promise<void> {
    const { enterprisePatientId, facilityCode, localId } = event.data;
    await this.recordPatientLink.execute({ enterprisePatientId, facilityCode, localId, seenAt: new Date(event.time) }, ctx.tx);
  }

  @OnEvent(PatientLinkedV1)
  async onLinked(@Payload() event: InboxEvent<typeof PatientLinkedV1>, @Ctx() ctx: InboxContext): Promise<void> {
    const { enterprisePatientId, facilityCode, localId } = event.data;
    await this.recordPatientLink.execute({ enterprisePatientId, facilityCode, localId, seenAt: new Date(event.time) }, ctx.tx);
  }

  @OnEvent(PatientMergedV1)
  async onMerged(@Payload() event: InboxEvent<typeof PatientMergedV1>, @Ctx() ctx: InboxContext): Promise<void> {
    await this.applyMerge.execute({ ...event.data, mergedAt: new Date(event.time), actor: identityEventsActor(event.id) }, ctx.tx);
  }

  @OnEvent(PatientUnmergedV1)
  async onUnmerged(@Payload() event: InboxEvent<typeof PatientUnmergedV1>, @Ctx() ctx: InboxContext): Promise<void> {
    await this.applyUnmerge.execute({ ...event.data, unmergedAt: new Date(event.time), actor: identityEventsActor(event.id) }, ctx.tx);
  }
}
