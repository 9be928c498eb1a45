import { UnitOfWork } from '@lienthong/persistence';
import { type Actor, requireActingFacility } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';
import { SubmissionStore, type SubmissionView } from '../../ports/submission-store.port';

/**
 * `GET /v1/submissions/{id}`: each visit of a file the caller's facility sent, with its current
 * outcome — a visit that waited for its patient shows `stored` (or `rejected`) once resolved. Another
 * facility's submission is not found. The report holds no patient data (outcomes, counts, pointers).
 */
@Injectable()
export class GetSubmissionUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly submissions: SubmissionStore,
  ) {}

  async execute(actor: Actor, submissionId: string): Promise<SubmissionView> {
    const facilityCode = requireActingFacility(actor);
    const found = await this.uow.read((tx) => this.submissions.find(tx, submissionId, facilityCode));
    if (found === undefined) throw new LabResultError(LabResultErrorCode.NotFound, 'No such submission from this facility.');
    return found;
  }
}
