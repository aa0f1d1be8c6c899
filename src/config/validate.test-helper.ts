/**
 * Shared by the validation tests: run `validateConfig` expecting rejection,
 * and read the problems back as `path: message` lines. Plain errors rather
 * than `node:assert`. The tests validate against the Node runtime's
 * backends, the registry that has every connection kind.
 */
import { ConfigError, type ConfigProblem } from '../core/errors/config-error.ts';
import { nodeBackends } from '../runtimes/node/backend-registry.ts';
import { validateConfig, type ValidateOptions } from './validate.ts';

export const options: ValidateOptions = { source: 'sluice.yaml', baseDir: '/srv/sluice', env: {}, backends: nodeBackends };

export function problemsOf(document: unknown, overrides: Partial<ValidateOptions> = {}): ConfigProblem[] {
  try {
    validateConfig(document, { ...options, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw new Error(`expected a ConfigError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the configuration to be rejected');
}

/** `path: message` lines, easy to compare. */
export function linesOf(document: unknown, overrides: Partial<ValidateOptions> = {}): string[] {
  return problemsOf(document, overrides).map((p) => `${p.path}: ${p.message}`);
}
