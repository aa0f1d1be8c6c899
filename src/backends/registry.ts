/**
 * A backend registry: the plug-ins a runtime offers, by type. Validation
 * takes its schemas (`connectionUnionSchema`), and `createBackends` builds
 * one backend per configured connection through it.
 */
import type { Backend } from '../core/backend.ts';
import type { ConnectionConfig } from '../core/config.ts';
import type { BackendPlugin, BackendServices } from './plugin.ts';

export interface BackendRegistry {
  readonly plugins: readonly BackendPlugin[];
  get(type: string): BackendPlugin | undefined;
}

export function createBackendRegistry(plugins: readonly BackendPlugin[]): BackendRegistry {
  const byType = new Map<string, BackendPlugin>();
  for (const plugin of plugins) {
    if (byType.has(plugin.type)) throw new TypeError(`backend type ${plugin.type} is registered twice`);
    byType.set(plugin.type, plugin);
  }
  return { plugins: [...plugins], get: (type) => byType.get(type) };
}

/** One backend per connection name; a type the registry lacks is a start-up error naming the ones it has. */
export function createBackends(
  connections: Readonly<Record<string, ConnectionConfig>>,
  registry: BackendRegistry,
  services: BackendServices,
): Map<string, Backend> {
  return new Map(
    Object.entries(connections).map(([name, connection]) => {
      const plugin = registry.get(connection.type);
      if (!plugin) {
        const known = registry.plugins.map((p) => p.type).join(', ');
        throw new TypeError(`connection ${name}: no backend of type ${connection.type} in this runtime (available: ${known})`);
      }
      return [name, plugin.create(connection, services)];
    }),
  );
}
