import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';

export class SubmissionParamsDto extends createZodDto(z.object({ submissionId: z.uuid('submissionId must be a UUID') })) {}
