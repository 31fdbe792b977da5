import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { Thrown } from './without-file-privileges.js';

/** `action` throws a UserError whose single-line message contains every fragment. */
export function expectUserError(action: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    action();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  expectUserErrorThrown(error as UserError, ...fragments);
}

/** What was thrown (maybe in another process) is a UserError whose single-line message contains every fragment. */
export function expectUserErrorThrown(thrown: Thrown | null, ...fragments: string[]): void {
  expect(thrown?.name).toBe('UserError');
  const message = thrown!.message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toContain(fragment);
}
