/**
 * An error caused by what the user gave us (a file, an option, the machine).
 * The CLI prints its message as one line and exits with code 2, without a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
