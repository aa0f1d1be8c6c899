/**
 * Start a set of servers, hand them to `use`, and stop all of them however
 * `use` ends (a failed start stops the ones already running).
 */
import type { ServerProcess } from './processes.ts';

export async function withServers<T>(
  starts: ReadonlyArray<() => Promise<ServerProcess>>,
  use: (servers: ServerProcess[]) => Promise<T>,
): Promise<T> {
  const servers: ServerProcess[] = [];
  try {
    for (const start of starts) servers.push(await start());
    return await use(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
