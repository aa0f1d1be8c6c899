/**
 * Loads and validates a configuration file for a command. The loader and
 * what it needs (the YAML parser, the schema) are imported on first use, so
 * `--help` and usage errors do not pay for them.
 */
import type { SluiceConfig } from '../core/config.ts';

export async function loadConfig(file: string): Promise<SluiceConfig> {
  const { loadConfigFile } = await import('../runtimes/node/config-file.ts');
  return loadConfigFile(file);
}
