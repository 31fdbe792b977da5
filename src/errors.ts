/**
 * An error caused by what the user gave us (a file, an option, the machine).
 * The CLI prints its message as one line and exits with code 2, without a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** The library's name of the option or input at fault (styleWeight, content, weights), where the library knows it. */
    readonly option?: string,
    /** `cause`: the error this one restates (the library's UserError keeps the parser's, in the command line's words). */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
