/**
 * Failures of commands that work on the policy store, reported as one line
 * (exit 1) instead of a stack: setup problems, configuration errors, issuer
 * and session key problems and the store's own refusals.
 */
import { ConfigError } from '../../core/errors/config-error.ts';
import { EXIT_FAILURE, type CliIo } from '../command.ts';
import { reportConfigError } from '../report.ts';
import { KeysSetupError } from './keys-store.ts';

export async function reportingStoreFailures(prefix: string, io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConfigError) {
      reportConfigError(error, io);
      return EXIT_FAILURE;
    }
    const { IssuerKeyError } = await import('../../oidc/issuer/issuer-keys.ts');
    const { PolicyStoreError } = await import('../../policy/sql/errors.ts');
    const { SessionKeyRotationError } = await import('../../sts/stored-session-keys.ts');
    if (error instanceof KeysSetupError || error instanceof IssuerKeyError || error instanceof PolicyStoreError || error instanceof SessionKeyRotationError) {
      io.err(`${prefix}: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
