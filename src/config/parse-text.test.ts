import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors/config-error.ts';
import { parseConfigText } from './parse-text.ts';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('parseConfigText (YAML)', () => {
  it('parses mappings, lists, numbers and booleans', () => {
    const value = parseConfigText('server:\n  listen: 127.0.0.1:9000\n  accessLog: false\n  shutdownGraceSeconds: 10\nlist: [a, b]\n', 'yaml');
    assert.deepEqual(value, { server: { listen: '127.0.0.1:9000', accessLog: false, shutdownGraceSeconds: 10 }, list: ['a', 'b'] });
  });

  it('uses YAML 1.2 scalars: yes/on/no stay strings', () => {
    assert.deepEqual(parseConfigText('a: yes\nb: on\nc: no\nd: true\n', 'yaml'), { a: 'yes', b: 'on', c: 'no', d: true });
  });

  it('reports a syntax error with its line and column', () => {
    const error = errorOf(() => parseConfigText('server:\n  region: us-east-1\n  listen: host: 9000\n', 'yaml', 'conf.yaml'));
    assert.equal(error.problems.length, 1);
    const [problem] = error.problems;
    assert.equal(problem!.source, 'conf.yaml');
    assert.equal(problem!.line, 3);
    assert.equal(problem!.column, 11);
    assert.equal(problem!.message, 'YAML syntax error: Nested mappings are not allowed in compact mappings');
    assert.equal(error.message, 'conf.yaml:3:11: YAML syntax error: Nested mappings are not allowed in compact mappings');
  });

  it('reports tab indentation at the offending line', () => {
    const error = errorOf(() => parseConfigText('server:\n  region: x\nbuckets:\n\tdata: {}\n', 'yaml', 'c.yaml'));
    assert.equal(error.problems[0]!.line, 4);
    assert.equal(error.problems[0]!.column, 1);
    assert.match(error.problems[0]!.message, /Tabs are not allowed/);
  });

  it('reports duplicate keys', () => {
    const error = errorOf(() => parseConfigText('buckets:\n  a: {}\n  a: {}\n', 'yaml', 'c.yaml'));
    assert.equal(error.problems[0]!.line, 3);
    assert.match(error.problems[0]!.message, /unique/i);
  });

  it('refuses documents that expand aliases without bound', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const error = errorOf(() => parseConfigText(lines.join('\n'), 'yaml', 'bomb.yaml'));
    assert.match(error.problems[0]!.message, /^YAML error: /);
  });

  it('returns null for an empty document, which validation then rejects', () => {
    assert.equal(parseConfigText('', 'yaml'), null);
    assert.equal(parseConfigText('# only a comment\n', 'yaml'), null);
  });
});

describe('parseConfigText (JSON)', () => {
  it('parses JSON', () => {
    assert.deepEqual(parseConfigText('{"server": {"listen": "0.0.0.0:1"}}', 'json'), { server: { listen: '0.0.0.0:1' } });
  });

  it('reports a syntax error with line and column when the engine gives a position', () => {
    const error = errorOf(() => parseConfigText('{\n  "server": {\n    "listen": "x",\n  }\n}\n', 'json', 'c.json'));
    const [problem] = error.problems;
    assert.match(problem!.message, /^JSON syntax error: /);
    assert.equal(problem!.line, 4);
    assert.equal(problem!.column, 3);
    assert.doesNotMatch(problem!.message, /position/);
  });

  it('does not quote the text in the message', () => {
    const error = errorOf(() => parseConfigText('{"tokenSecret": s3cr3t-value}', 'json', 'c.json'));
    assert.doesNotMatch(error.message, /s3cr3t/);
  });
});
