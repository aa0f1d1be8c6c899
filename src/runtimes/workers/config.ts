/**
 * The configuration on Workers: YAML or JSON text from a binding (a var, a
 * secret or a text module), `${env:NAME}` placeholders filled from the
 * Worker's string bindings (vars and secrets), validated with the portable
 * backends. What a Worker cannot run — `fs` connections, a SQLite or
 * PostgreSQL policy store — is refused here, naming the runtime.
 */
import { portableBackends } from '../../backends/portable-registry.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors/config-error.ts';
import { type RuntimeLimits, parseConfigText, validateConfig } from '../../config/validate.ts';

/** The binding the configuration text is read from, unless the entry passes the text itself. */
export const CONFIG_BINDING = 'SLUICE_CONFIG';

export const WORKERS_RUNTIME: RuntimeLimits = {
  name: 'Cloudflare Workers',
  unavailableConnections: {
    fs: 'a Worker has no local file system; serve the objects from an S3-compatible store (type: s3)',
  },
  noDatabasePolicy: 'a Worker has no SQLite or PostgreSQL client; use policy.type: d1 with a D1 database binding, or keep buckets, accounts and access keys in the configuration',
  unavailableMeteringSinks: {
    file: 'a Worker has no local file system; use type: analytics-engine or type: http',
  },
  noMetricsListener: 'a Worker has no listeners of its own; /.metrics is served on the Worker route',
  noDiskCache: 'a Worker has no local disk; its hot-range cache is the Cache API (leave out cache.disk)',
};

/** The Worker's bindings that are plain strings (vars and secrets), for `${env:NAME}`; other bindings are objects. */
export function stringBindings(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') out[name] = value;
  return out;
}

/** JSON when the text is a JSON object; YAML otherwise. */
function formatOf(text: string): 'json' | 'yaml' {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/**
 * The validated configuration from `text` (or the `SLUICE_CONFIG` binding).
 * Throws `ConfigError` with every problem; messages never carry values.
 */
export function loadWorkersConfig(env: Record<string, unknown>, text?: string): SluiceConfig {
  const source = text === undefined ? CONFIG_BINDING : 'the configuration module';
  const configText = text ?? env[CONFIG_BINDING];
  if (typeof configText !== 'string' || configText.trim() === '') {
    throw new ConfigError([{ source, path: '', message: `no configuration: set the ${CONFIG_BINDING} var or secret to the YAML or JSON configuration` }]);
  }
  return validateWorkersConfig(configText, stringBindings(env), source);
}

/**
 * A Worker's configuration text validated as the Worker validates it, with
 * `${env:NAME}` from `env`: also what `sluice validate-config --runtime
 * workers` and `sluice d1` check a file with on Node.
 */
export function validateWorkersConfig(text: string, env: Record<string, string | undefined>, source: string): SluiceConfig {
  const document = parseConfigText(text, formatOf(text), source);
  return validateConfig(document, {
    source,
    baseDir: '/',
    env,
    backends: portableBackends,
    runtime: WORKERS_RUNTIME,
  });
}
