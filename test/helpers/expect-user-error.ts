import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** `action` throws a UserError whose single-line message contains every fragment. */
export function expectUserError(action: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    action();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toContain(fragment);
}
