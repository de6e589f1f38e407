/** An error the CLI reports on stderr before exiting 1: its message already says what to fix. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit 1 without another message: the failures were reported as they happened (create and delete go on past one). */
export const alreadyReported = (): CliError => new CliError('');
