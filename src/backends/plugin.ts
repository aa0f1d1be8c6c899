/**
 * The backend plug-in contract. Each backend kind lives in its own folder
 * and exports one `BackendPlugin`: its `type`, the zod schema of its
 * connection settings, and `create`, which builds the backend from validated
 * settings and the services the runtime supplies. The core never looks
 * inside a connection's settings; a registry (`registry.ts`) maps types to
 * plug-ins.
 */
import type { z } from 'zod';
import type { ConnectionKind, ConnectionSchema } from '../config/connection-schema.ts';
import type { Backend } from '../core/backend.ts';
import type { ConnectionConfig } from '../core/config.ts';
import type { HttpClient } from '../core/http.ts';
import type { LogSink } from '../core/runtime.ts';
import type { OutboundCredentialServices } from '../federation/outbound-credentials.ts';

/** What a backend may take from its runtime. */
export interface BackendServices {
  /** The runtime's shared outbound HTTP client (one keep-alive pool for every connection), made on first use. */
  httpClient(): HttpClient;
  now(): Date;
  log: LogSink;
  /** Outbound credentials other than keys in the configuration (federation, sealed keys); absent when none are set up. */
  credentials?: OutboundCredentialServices;
}

export interface BackendPlugin extends ConnectionKind {
  /** `connection` has passed `configSchema` (defaults applied) and carries its `name`. */
  create(connection: ConnectionConfig, services: BackendServices): Backend;
}

/** Settings as a kind's own schema outputs them, with the connection's name. */
export type ConnectionOf<S extends ConnectionSchema> = z.output<S> & { name: string };

/**
 * A plug-in whose `create` sees its own settings' type. The settings it gets
 * are the ones configuration validation produced with `configSchema`, so
 * the one cast here is sound for every configuration that was validated.
 */
export function defineBackendPlugin<S extends ConnectionSchema>(plugin: {
  type: z.output<S>['type'];
  configSchema: S;
  directories?: readonly (keyof z.output<S> & string)[];
  create(connection: ConnectionOf<S>, services: BackendServices): Backend;
}): BackendPlugin {
  return plugin as unknown as BackendPlugin;
}
