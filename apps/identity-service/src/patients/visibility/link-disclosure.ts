import { type Actor } from '../domain/actor';
import { type LinkRecord } from '../persistence/patient.repository';

export interface DisclosureContext {
  readonly actor: Actor;
  /** Facilities flagged sensitive in the registry. */
  readonly sensitiveFacilities: ReadonlySet<string>;
}

/**
 * The one place that decides which facility links a caller may learn about. Every answer that
 * reveals where a patient was treated (REST links, search across facilities, $ihe-pix, $match) goes
 * through here, so consent filtering slots in as one more condition when consent-service exists.
 *
 * - A facility always sees its own links.
 * - Other facilities' links need the cross-reference scope.
 * - Links at a sensitive facility are never disclosed to anyone but that facility.
 */
export function disclosableLinks(links: readonly LinkRecord[], ctx: DisclosureContext): LinkRecord[] {
  return links.filter((link) => {
    if (ctx.actor.facilityCode !== null && link.facilityCode === ctx.actor.facilityCode) return true;
    if (!ctx.actor.canCrossReference) return false;
    return !ctx.sensitiveFacilities.has(link.facilityCode);
  });
}

/** Whether the caller may learn that the patient exists at all through a cross-facility search. */
export function mayDiscloseAcrossFacilities(links: readonly LinkRecord[], ctx: DisclosureContext): boolean {
  return disclosableLinks(links, ctx).length > 0;
}
