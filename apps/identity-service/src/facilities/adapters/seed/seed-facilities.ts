import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { facilityInputSchema, type FacilityInput } from '../../domain/facility';

const seedFileSchema = z.object({ facilities: z.array(facilityInputSchema) });

/**
 * The synthetic seed registry shipped with the service (names real, codes invented and marked
 * `synthetic`). Loaded from a JSON file next to the bundle so ops can replace it without a rebuild.
 */
export function loadSeedFacilities(file = defaultSeedFile()): FacilityInput[] {
  return seedFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).facilities;
}

function defaultSeedFile(): string {
  // Built: assets are copied next to main.js. Source (tests, run-ts): the file beside this module.
  const candidates = [join(__dirname, 'assets', 'facilities.synthetic.json'), join(__dirname, 'data', 'facilities.synthetic.json')];
  for (const c of candidates) {
    try {
      readFileSync(c);
      return c;
    } catch {
      // try the next location
    }
  }
  throw new Error(`seed facilities file not found in ${candidates.join(', ')}`);
}
