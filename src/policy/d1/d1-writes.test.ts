import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessKeyRevoke, toSqlText } from './d1-writes.ts';

test('SQL text writes each value as a literal in its placeholder: text quoted with quotes doubled, numbers, NULL', () => {
  assert.equal(
    toSqlText({ sql: 'INSERT INTO t (a, b, c, d)\n      VALUES (?, ?, ?, ?)', values: ["it's", 42, null, 'a ? inside'] }),
    "INSERT INTO t (a, b, c, d) VALUES ('it''s', 42, NULL, 'a ? inside');",
  );
  assert.equal(
    toSqlText(accessKeyRevoke('SLAKEXAMPLEEXAMPLE23', new Date('2030-01-01T00:00:00Z'))),
    "UPDATE access_keys SET revoked_at = coalesce(revoked_at, '2030-01-01T00:00:00.000Z') WHERE id = 'SLAKEXAMPLEEXAMPLE23';",
  );
});

test('SQL text refuses what it cannot write faithfully', () => {
  assert.throws(() => toSqlText({ sql: 'SELECT ?, ?', values: ['one'] }), /2 placeholders for 1 values/);
  assert.throws(() => toSqlText({ sql: 'SELECT ?', values: [Number.NaN] }), /finite/);
  assert.throws(() => toSqlText({ sql: 'SELECT ?', values: ['a\0b'] }), /NUL/);
});
