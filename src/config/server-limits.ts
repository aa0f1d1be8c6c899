/**
 * Defaults for the server's connection and upload limits. The schema applies
 * them to configuration files; the Node server falls back to them for
 * configurations built in code, which may leave the fields out.
 */
export const SERVER_LIMIT_DEFAULTS = {
  maxConnections: 1024,
  headersTimeoutSeconds: 30,
  bodyIdleTimeoutSeconds: 30,
  bodyMinBytesPerSecond: 1024,
  bodyMinRateGraceSeconds: 30,
} as const;
