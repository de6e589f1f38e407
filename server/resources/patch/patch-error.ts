/**
 * A patch that cannot be applied or computed: a bad directive, a list element without its merge
 * key, a failing RFC 6902 `test`. The API answers it as BAD_USER_INPUT and writes nothing.
 */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}
