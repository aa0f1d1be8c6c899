/**
 * `sluice validate-config FILE`: the same loading and validation `serve`
 * does, without starting anything. Exit 0 and a summary, or every problem
 * and exit 1.
 */
import type { SluiceConfig } from '../../core/config.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';
import { loadConfig } from '../load-config.ts';
import { reportConfigError } from '../report.ts';

const help = `Usage: sluice validate-config FILE

Check a configuration file (YAML or JSON) and report every problem at once:
unknown or misspelt fields, bad values, references to connections that do
not exist, unset \${env:NAME} variables, missing fs roots.

Arguments:
  FILE                 configuration file (.yaml, .yml or .json)

Options:
  -c, --config FILE    the same, as an option
      --runtime NAME   check it for a Node server (node, the default) or for a
                       Cloudflare Worker (workers: the portable backends, the
                       Worker's limits, a D1 policy store), \${env:NAME} from
                       this environment either way
  -h, --help           show this help

Exit codes: 0 valid, 1 problems found, 2 bad usage.`;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line: what the configuration will serve. */
export function summarizeConfig(config: SluiceConfig): string {
  const connections = Object.values(config.connections);
  const types = [...new Set(connections.map((c) => c.type))].sort();
  const byType = types.map((type) => `${connections.filter((c) => c.type === type).length} ${type}`).join(', ');
  const publicCount = config.buckets.filter((b) => b.public).length;
  const parts = [
    `${plural(connections.length, 'connection')}${byType ? ` (${byType})` : ''}`,
    `${plural(config.buckets.length, 'bucket')} (${publicCount} public, ${config.buckets.length - publicCount} restricted)`,
    `${config.server.addressing} addressing`,
    `CORS ${config.server.cors ? 'on' : 'off'}`,
    `listen ${config.server.listen}`,
  ];
  return parts.join(', ');
}

export const validateConfigCommand: Command = {
  name: 'validate-config',
  summary: 'check a configuration file and report every problem',
  help,
  async run(args, io) {
    const parsed = parseCommandArgs({ help }, args, { config: { type: 'string', short: 'c' }, runtime: { type: 'string' } }, io);
    if (!parsed) return EXIT_OK;
    const runtime = parsed.values.runtime ?? 'node';
    if (runtime !== 'node' && runtime !== 'workers') throw new UsageError(`--runtime must be node or workers`);
    const files = [...(parsed.values.config !== undefined ? [parsed.values.config] : []), ...parsed.positionals];
    if (files.length === 0) throw new UsageError('missing the configuration FILE');
    if (files.length > 1) throw new UsageError('expected exactly one configuration FILE');
    const file = files[0]!;
    try {
      const config = await loadConfig(file, runtime);
      io.out(`${file}: OK${runtime === 'workers' ? ' (for Cloudflare Workers)' : ''}`);
      io.out(summarizeConfig(config));
      return EXIT_OK;
    } catch (error) {
      reportConfigError(error, io);
      return EXIT_FAILURE;
    }
  },
};
