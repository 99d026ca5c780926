/** Resources that the tests of one file share, made once rather than in every test. */
import { after, before } from 'node:test';

/**
 * A resource for the tests of the enclosing file or `describe`: made in `before`, disposed of in
 * `after`. Returns a getter for use inside tests and hooks; called while the file loads, before
 * the resource exists, it throws and says so. `name` is for that message.
 */
export function useFixture<T>(name: string, make: () => Promise<T>, dispose: (value: T) => Promise<void>): () => T {
  let value: T | undefined;
  let made = false;
  before(async () => {
    value = await make();
    made = true;
  });
  after(async () => {
    if (made) await dispose(value as T);
  });
  return () => {
    if (!made) throw new Error(`${name} is made in before(); use it inside tests and hooks`);
    return value as T;
  };
}
