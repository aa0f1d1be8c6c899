/**
 * Loads and validates a configuration file for a command: as a Node server
 * reads it, or as a Worker would (the portable backends, the Workers'
 * limits, `${env:NAME}` from this process's environment). The loaders and
 * what they need (the YAML parser, the schema) are imported on first use,
 * so `--help` and usage errors do not pay for them.
 */
import { readFile } from 'node:fs/promises';
import type { SluiceConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors/config-error.ts';

export type ConfigRuntime = 'node' | 'workers';

export async function loadConfig(file: string, runtime: ConfigRuntime = 'node'): Promise<SluiceConfig> {
  if (runtime === 'workers') return loadWorkersConfigFile(file);
  const { loadConfigFile } = await import('../runtimes/node/config-file.ts');
  return loadConfigFile(file);
}

async function loadWorkersConfigFile(file: string): Promise<SluiceConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ source: file, path: '', message: `cannot read the file: ${code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}` }]);
  }
  const { validateWorkersConfig } = await import('../runtimes/workers/config.ts');
  return validateWorkersConfig(text, process.env, file);
}
