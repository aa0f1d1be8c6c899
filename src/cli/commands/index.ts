/**
 * The subcommands `sluice` knows, in the order its help lists them. A new
 * command is one module under this folder plus one entry here.
 */
import type { Command } from '../command.ts';
import { keysCommand } from './keys.ts';
import { serveCommand } from './serve.ts';
import { validateConfigCommand } from './validate-config.ts';

export const commands: readonly Command[] = [serveCommand, validateConfigCommand, keysCommand];
