/**
 * Defaults for the server's connection and upload limits, applied by the
 * schema (and by test fixtures that build configurations in code).
 */
export const SERVER_LIMIT_DEFAULTS = {
  maxConnections: 1024,
  headersTimeoutSeconds: 30,
  bodyIdleTimeoutSeconds: 30,
  bodyMinBytesPerSecond: 1024,
  bodyMinRateGraceSeconds: 30,
} as const;
