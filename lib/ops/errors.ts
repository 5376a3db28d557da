/**
 * A problem the operator can fix: the CLI prints it without a stack trace, then exits with `exitCode`.
 * Lives in the read model (not in cli/) because lib/local and lib/ops raise it too; cli/io.ts re-exports it.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
