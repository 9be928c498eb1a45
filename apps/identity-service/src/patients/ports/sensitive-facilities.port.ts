import { type Db } from '@lienthong/persistence';

/**
 * Which facilities' involvement is itself sensitive (an HIV clinic, a mental hospital). The facility
 * registry answers it; the patient side does not depend on how the registry stores it.
 */
export abstract class SensitiveFacilities {
  abstract among(db: Db, facilityCodes: readonly string[]): Promise<ReadonlySet<string>>;
}
