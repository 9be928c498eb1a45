import { PatientLinkedV1, PatientMergedV1, PatientRegisteredV1, PatientUnmergedV1 } from '@lienthong/contracts';
import { type InboxContext, type InboxEvent, OnEvent } from '@lienthong/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { MovePatientLinksUseCase } from '../../use-cases/move-patient-links/move-patient-links.use-case';
import { RecordPatientSeenUseCase } from '../../use-cases/record-patient-seen/record-patient-seen.use-case';

/**
 * identity.patient.v1, declaratively: each payload is validated from its contract before the method
 * runs, and each method runs once per event, in the inbox transaction (`ctx.tx`). Updates carry
 * nothing this service keeps, so they have no handler (skipped).
 */
@Controller()
export class IdentityEventsConsumer {
  constructor(
    private readonly recordPatientSeen: RecordPatientSeenUseCase,
    private readonly movePatientLinks: MovePatientLinksUseCase,
  ) {}

  @OnEvent(PatientRegisteredV1)
  onRegistered(@Payload() event: InboxEvent<typeof PatientRegisteredV1>, @Ctx() ctx: InboxContext): void {
    this.recordPatientSeen.execute({ ...event.data, seenAt: new Date(event.time) }, ctx.tx);
  }

  @OnEvent(PatientLinkedV1)
  onLinked(@Payload() event: InboxEvent<typeof PatientLinkedV1>, @Ctx() ctx: InboxContext): void {
    this.recordPatientSeen.execute({ ...event.data, seenAt: new Date(event.time) }, ctx.tx);
  }

  @OnEvent(PatientMergedV1)
  onMerged(@Payload() event: InboxEvent<typeof PatientMergedV1>, @Ctx() ctx: InboxContext): void {
    const { mergedId, survivorId, movedLinks } = event.data;
    this.movePatientLinks.execute({ from: mergedId, to: survivorId, links: movedLinks, movedAt: new Date(event.time) }, ctx.tx);
  }

  @OnEvent(PatientUnmergedV1)
  onUnmerged(@Payload() event: InboxEvent<typeof PatientUnmergedV1>, @Ctx() ctx: InboxContext): void {
    const { survivorId, restoredId, restoredLinks } = event.data;
    this.movePatientLinks.execute({ from: survivorId, to: restoredId, links: restoredLinks, movedAt: new Date(event.time) }, ctx.tx);
  }
}
