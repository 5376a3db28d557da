/** The configuration is unusable; `problems` name each field path. Permanent: fix the file and restart. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
