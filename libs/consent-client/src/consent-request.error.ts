/**
 * The decision point refused the request itself (400, 401, 403, 404, 422 …), or the query failed the
 * contract before it was sent: a bug or a misconfiguration in the caller, not an outage. Thrown, never
 * turned into a deny, so it is found and fixed rather than silently hiding data.
 *
 * The message names the status, the problem's title and the JSON pointers of the offending fields
 * (`#/queries/3/category`), never a field's value: it is safe to log.
 */
export class ConsentRequestError extends Error {
  override readonly name = 'ConsentRequestError';

  constructor(
    /** The HTTP status; undefined when the client rejected the query before sending it. */
    readonly status: number | undefined,
    /** The problem's stable `type` (problem+json), when the service sent one. */
    readonly problemType: string | undefined,
    /** JSON pointers of the fields named as invalid. */
    readonly pointers: readonly string[],
    title: string,
  ) {
    const where = pointers.length > 0 ? ` (${pointers.slice(0, 5).join(', ')}${pointers.length > 5 ? ', …' : ''})` : '';
    super(`consent decision request rejected: ${status ?? 'invalid query'} ${title}${where}`);
  }
}
