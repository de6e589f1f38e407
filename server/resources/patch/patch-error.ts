/**
 * A patch that cannot be applied or computed: a bad directive, a list element without its merge
 * key, a failing RFC 6902 `test`. The API answers it as BAD_USER_INPUT and writes nothing.
 */
export class PatchError extends Error {
  constructor(
    message: string,
    /** The part of the patch at fault, as a path under the patch (`[2]` for a JSON patch's third operation). */
    readonly at = '',
  ) {
    super(message);
    this.name = 'PatchError';
  }
}
