/**
 * Configuration text (YAML or JSON) to a plain value. Syntax errors become
 * a `ConfigError` with line and column; YAML duplicate keys are errors too.
 */
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../core/errors/config-error.ts';

export type ConfigFormat = 'yaml' | 'json';

export function parseConfigText(text: string, format: ConfigFormat, source = 'config'): unknown {
  return format === 'json' ? parseJson(text, source) : parseYaml(text, source);
}

function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: `yes`/`on` stay strings, only true/false are booleans.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error): ConfigProblem => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { source, path: '', message: `YAML syntax error: ${firstLine(error.message)}`, line, column: col };
      }),
    );
  }
  try {
    // The alias limit stops "billion laughs" documents from expanding without bound.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError([{ source, path: '', message: `YAML error: ${firstLine(String((error as Error).message))}` }]);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const problem: ConfigProblem = { source, path: '', message: `JSON syntax error: ${jsonReason(message)}` };
    const position = /at position (\d+)/.exec(message);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      problem.line = before.length;
      problem.column = before[before.length - 1]!.length + 1;
    }
    throw new ConfigError([problem]);
  }
}

/** The engine's reason without its position or any quoted excerpt of the text (which may hold a secret). */
function jsonReason(message: string): string {
  const reason = message
    .replace(/,\s*(\.\.\.)?".*$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .trim();
  return reason || 'invalid JSON';
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
