import { actingFacility, type Actor } from '@lienthong/platform';
import { Scopes } from '../../scopes';
import { type Viewer } from '../domain/disclosure';

/** The caller as the disclosure rules see it. */
export function viewerOf(actor: Actor): Viewer {
  return { facilityCode: actingFacility(actor), canCrossReference: actor.scopes.includes(Scopes.crossReference) };
}
