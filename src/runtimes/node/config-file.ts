/**
 * Loading the configuration from a file on Node: read it, parse YAML or JSON
 * by extension, validate with `process.env` and the Node backends, resolve
 * fs roots against the file's folder and check that they exist. What only a
 * Worker can open (a D1 policy store) is refused, naming the runtime.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { SluiceConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors/config-error.ts';
import { parseConfigText, validateConfig, type ConfigFormat, type RuntimeLimits } from '../../config/validate.ts';
import { nodeBackends } from './backend-registry.ts';

export const NODE_RUNTIME: RuntimeLimits = {
  name: 'Node.js',
  unavailablePolicyTypes: {
    d1: 'D1 is a Cloudflare Workers store (a database bound to the Worker); for a database here use policy.sqlitePath or policy.postgresUrl',
  },
};

/** `.json` is JSON; `.yaml`, `.yml` and anything else is YAML (a superset of JSON in practice). */
export function configFormatFor(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

export async function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): Promise<SluiceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ source: path, path: '', message: `cannot read the file: ${describeFsError(error)}` }]);
  }
  const document = parseConfigText(text, configFormatFor(path), path);
  return validateConfig(document, {
    source: path,
    baseDir: dirname(resolve(path)),
    env,
    resolvePath: (baseDir, p) => resolve(baseDir, p),
    backends: nodeBackends,
    checkDirectory,
    runtime: NODE_RUNTIME,
  });
}

function checkDirectory(absolutePath: string): string | undefined {
  try {
    return statSync(absolutePath).isDirectory() ? undefined : `${absolutePath} is not a directory`;
  } catch (error) {
    return `${absolutePath}: ${describeFsError(error)}`;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return (error as Error).message;
}
