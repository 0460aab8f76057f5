/**
 * A startup failure the user can fix: main.ts logs its message as one fatal line (no stack trace) and exits 1.
 * The message says what is wrong and what to do.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
