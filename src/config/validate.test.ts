import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors/config-error.ts';
import { DEFAULT_EXPOSE_HEADERS } from './schema.ts';
import { linesOf, options, problemsOf } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const minimal = {
  connections: { local: { type: 'fs', root: 'data' } },
  buckets: { example: { connection: 'local' } },
};

describe('validateConfig defaults', () => {
  it('fills every server default for an empty document', () => {
    const config = validateConfig({}, options);
    assert.deepEqual(config, {
      server: {
        listen: '127.0.0.1:9000',
        addressing: 'path',
        region: 'us-east-1',
        accessLog: true,
        shutdownGraceSeconds: 30,
        maxConnections: 1024,
        headersTimeoutSeconds: 30,
        bodyIdleTimeoutSeconds: 30,
        bodyMinBytesPerSecond: 1024,
        bodyMinRateGraceSeconds: 30,
      },
      connections: {},
      buckets: [],
      accounts: [],
      accessKeys: [],
      policy: { cacheTtlSeconds: 30 },
    });
  });

  it('fills connection and bucket defaults and turns the bucket map into a list', () => {
    const config = validateConfig(
      { connections: { local: { type: 'fs', root: 'data' }, scratch: { type: 'memory' } }, buckets: { example: { connection: 'local' } } },
      options,
    );
    assert.deepEqual(config.connections, {
      local: { type: 'fs', name: 'local', root: '/srv/sluice/data', readOnly: false },
      scratch: { type: 'memory', name: 'scratch', readOnly: false },
    });
    assert.deepEqual(config.buckets, [{ name: 'example', connection: 'local', prefix: '', public: false, readOnly: false }]);
  });

  it('keeps a memory connection\'s size cap, and leaves it to the backend\'s default when absent', () => {
    const config = validateConfig({ connections: { capped: { type: 'memory', maxBytes: 1048576 }, open: { type: 'memory' } } }, options);
    assert.deepEqual(config.connections, {
      capped: { type: 'memory', name: 'capped', readOnly: false, maxBytes: 1048576 },
      open: { type: 'memory', name: 'open', readOnly: false },
    });
    for (const maxBytes of [0, -1, 1.5, '1MiB']) {
      assert.equal(linesOf({ connections: { m: { type: 'memory', maxBytes } } }).length, 1, `maxBytes ${String(maxBytes)} is refused`);
      assert.match(linesOf({ connections: { m: { type: 'memory', maxBytes } } })[0]!, /^connections\.m\.maxBytes: /);
    }
  });

  it('fills every CORS default once allowedOrigins is given', () => {
    const config = validateConfig({ server: { cors: { allowedOrigins: ['*'] } } }, options);
    assert.deepEqual(config.server.cors, {
      allowedOrigins: ['*'],
      allowedMethods: ['GET', 'HEAD'],
      allowedHeaders: ['*'],
      exposeHeaders: [...DEFAULT_EXPOSE_HEADERS],
      maxAgeSeconds: 3600,
      allowCredentials: false,
    });
  });

  it('does not share default lists between results', () => {
    const first = validateConfig({ server: { cors: { allowedOrigins: ['*'] } } }, options);
    first.server.cors!.exposeHeaders.push('x-extra');
    const second = validateConfig({ server: { cors: { allowedOrigins: ['*'] } } }, options);
    assert.equal(second.server.cors!.exposeHeaders.includes('x-extra'), false);
  });

  it('keeps explicit values, lower-cases the virtual-host domain and allowed headers', () => {
    const config = validateConfig(
      {
        server: {
          listen: '0.0.0.0:8080',
          addressing: 'path-mapped',
          virtualHostDomain: 'S3.Example.com',
          region: 'eu-west-1',
          accessLog: false,
          tokenSecret: 'x'.repeat(32),
          shutdownGraceSeconds: 0,
          cors: {
            allowedOrigins: ['https://app.example.com'],
            allowedMethods: ['GET', 'PUT'],
            allowedHeaders: ['Authorization', 'X-Amz-Date'],
            exposeHeaders: ['ETag'],
            maxAgeSeconds: 60,
            allowCredentials: true,
          },
        },
        connections: { mem: { type: 'memory', readOnly: true } },
        buckets: {
          data: { connection: 'mem', account: 'acme', prefix: 'public/2024', public: true, readOnly: true, region: 'eu-west-2' },
        },
      },
      options,
    );
    assert.equal(config.server.virtualHostDomain, 's3.example.com');
    assert.deepEqual(config.server.cors!.allowedHeaders, ['authorization', 'x-amz-date']);
    assert.equal(config.server.tokenSecret, 'x'.repeat(32));
    assert.equal(config.server.shutdownGraceSeconds, 0);
    assert.deepEqual(config.buckets, [
      { name: 'data', account: 'acme', connection: 'mem', prefix: 'public/2024/', public: true, readOnly: true, region: 'eu-west-2' },
    ]);
  });
});

describe('validateConfig fs roots', () => {
  it('resolves relative roots against baseDir and keeps absolute ones', () => {
    const config = validateConfig(
      { connections: { a: { type: 'fs', root: '../shared/./data/' }, b: { type: 'fs', root: '/var/lib/data' } } },
      options,
    );
    assert.equal(config.connections.a!.root, '/srv/shared/data');
    assert.equal(config.connections.b!.root, '/var/lib/data');
  });

  it('uses the resolvePath option when given', () => {
    const config = validateConfig(minimal, { ...options, resolvePath: (base, p) => `${base}|${p}` });
    assert.equal(config.connections.local!.root, '/srv/sluice|data');
  });

  it('reports roots the checkDirectory hook rejects, together with other problems', () => {
    const checked: string[] = [];
    const lines = linesOf(
      { ...minimal, server: { region: 'Nope' } },
      {
        checkDirectory: (root) => {
          checked.push(root);
          return 'no such directory';
        },
      },
    );
    assert.deepEqual(checked, ['/srv/sluice/data']);
    assert.deepEqual(lines, [
      'server.region: must be a region name such as us-east-1 (lowercase letters, digits and hyphens)',
      'connections.local.root: no such directory',
    ]);
  });
});

describe('validateConfig field problems', () => {
  it('rejects a document that is not a mapping', () => {
    for (const document of [null, 'text', [1, 2], 42]) {
      assert.deepEqual(linesOf(document), [': the configuration must be a mapping with server, connections and buckets sections']);
    }
  });

  it('reports unknown fields at every level, with a suggestion when one is close', () => {
    const lines = linesOf({
      sever: {},
      server: { listn: '127.0.0.1:1', cors: { allowedOrigins: ['*'], maxAge: 5 } },
      connections: { m: { type: 'memory', root: 'x' }, f: { type: 'fs', root: 'd', readonly: true } },
      buckets: { abc: { connection: 'm', publc: true, colour: 'red' } },
    });
    assert.deepEqual(lines, [
      'server.listn: unknown field (did you mean "listen"?)',
      'server.cors.maxAge: unknown field (did you mean "maxAgeSeconds"?)',
      'connections.m.root: unknown field',
      'connections.f.readonly: unknown field (did you mean "readOnly"?)',
      'buckets.abc.publc: unknown field (did you mean "public"?)',
      'buckets.abc.colour: unknown field',
      'sever: unknown field (did you mean "server"?)',
    ]);
  });

  it('names the expected type and says "required" for missing fields', () => {
    const lines = linesOf({
      server: { accessLog: 'yes', shutdownGraceSeconds: 1.5, listen: 9000 },
      connections: { a: { type: 'fs' }, b: {}, c: { type: 'ftp' }, d: 'fs' },
      buckets: { abc: {} },
    });
    assert.deepEqual(lines, [
      'server.accessLog: expected true or false, got a string',
      'server.shutdownGraceSeconds: expected a whole number, got a fractional number',
      'server.listen: expected a string, got a number',
      'connections.a.root: required',
      'connections.b.type: required: one of "azure", "fs", "gcs", "memory", "s3"',
      'connections.c.type: must be one of "azure", "fs", "gcs", "memory", "s3"',
      'connections.d: expected a mapping, got a string',
      'buckets.abc.connection: required',
    ]);
  });

  it('checks enums, ranges and string rules', () => {
    const lines = linesOf({
      server: {
        addressing: 'virtual',
        listen: 'localhost',
        virtualHostDomain: 'https://s3.example.com',
        shutdownGraceSeconds: -1,
        tokenSecret: 'short',
        cors: { allowedOrigins: [], allowedMethods: ['get'], exposeHeaders: ['x-amz-meta-*'], maxAgeSeconds: -5 },
      },
      buckets: {},
    });
    // Problems follow the order the fields were written in.
    assert.deepEqual(lines, [
      'server.addressing: must be one of "path", "path-mapped"',
      'server.listen: must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000',
      'server.virtualHostDomain: must be a host name such as s3.example.com (labels of letters, digits and inner hyphens, no scheme, port or trailing dot)',
      'server.shutdownGraceSeconds: must be at least 0',
      'server.tokenSecret: must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)',
      'server.cors.allowedOrigins: list at least one origin, or "*"',
      'server.cors.allowedMethods[0]: must be one of "GET", "HEAD", "PUT", "POST", "DELETE"',
      'server.cors.exposeHeaders[0]: must be a header name (patterns and "*" are not supported)',
      'server.cors.maxAgeSeconds: must be at least 0',
    ]);
  });

  it('rejects prefixes that start with "/" or climb out of the connection', () => {
    const lines = linesOf({
      connections: { local: { type: 'fs', root: 'data' } },
      buckets: { one: { connection: 'local', prefix: '/data/' }, two: { connection: 'local', prefix: 'a/../../etc' } },
    });
    assert.deepEqual(lines, [
      'buckets.one.prefix: must be relative to the connection: remove the leading "/"',
      'buckets.two.prefix: must not contain "." or ".." segments',
    ]);
  });

  it('formats keys that are not identifiers in brackets', () => {
    const lines = linesOf({ connections: { local: { type: 'memory' } }, buckets: { 'my.data': { connection: 'local', public: 'yes' } } });
    assert.deepEqual(lines, ['buckets["my.data"].public: expected true or false, got a string']);
  });
});

describe('validateConfig cross-field checks', () => {
  it('requires every bucket connection to exist and lists the defined ones', () => {
    assert.deepEqual(linesOf({ connections: { local: { type: 'memory' } }, buckets: { abc: { connection: 'remote' } } }), [
      'buckets.abc.connection: no such connection (defined: local)',
    ]);
    assert.deepEqual(linesOf({ buckets: { abc: { connection: 'remote' } } }), [
      'buckets.abc.connection: no such connection (no connections are defined)',
    ]);
  });

  it('checks bucket names from map keys and from explicit name fields', () => {
    const lines = linesOf({
      connections: { local: { type: 'memory' } },
      buckets: { Photos: { connection: 'local' }, ok: { connection: 'local', name: '10.0.0.1' }, fine: { connection: 'local', name: 'valid-name' } },
    });
    assert.deepEqual(lines, [
      'buckets.Photos: bucket name may contain only lowercase letters, digits, dots and hyphens',
      'buckets.ok.name: bucket name must not be formatted as an IP address',
    ]);
  });

  it('rejects connection names that are not plain identifiers', () => {
    assert.deepEqual(linesOf({ connections: { 'my disk': { type: 'memory' } } }), [
      'connections["my disk"]: connection names must be 1 to 63 letters, digits, dots, hyphens or underscores, starting with a letter or digit',
    ]);
  });

  it('rejects two buckets with the same name in path mode', () => {
    assert.deepEqual(
      linesOf({ connections: { m: { type: 'memory' } }, buckets: { climate: { connection: 'm' }, copy: { connection: 'm', name: 'climate' } } }),
      ['buckets.copy.name: same name as buckets.climate; bucket names must be unique'],
    );
  });

  it('in path-mapped mode requires an account on every bucket and checks account names', () => {
    const lines = linesOf({
      server: { addressing: 'path-mapped' },
      connections: { m: { type: 'memory' } },
      buckets: { climate: { connection: 'm' }, rain: { connection: 'm', account: 'Bad_Account' } },
    });
    assert.deepEqual(lines, [
      'buckets.climate.account: required when server.addressing is "path-mapped"',
      'buckets.rain.account: may contain only lowercase letters, digits, dots and hyphens',
    ]);
  });

  it('in path-mapped mode allows one product name under several accounts but not twice under one', () => {
    const base = { server: { addressing: 'path-mapped' }, connections: { m: { type: 'memory' } } };
    const config = validateConfig(
      { ...base, buckets: { 'acme-climate': { connection: 'm', account: 'acme', name: 'climate' }, 'globex-climate': { connection: 'm', account: 'globex', name: 'climate' } } },
      options,
    );
    assert.deepEqual(config.buckets.map((b) => `${b.account}/${b.name}`), ['acme/climate', 'globex/climate']);
    assert.deepEqual(
      linesOf({ ...base, buckets: { climate: { connection: 'm', account: 'acme' }, again: { connection: 'm', account: 'acme', name: 'climate' } } }),
      ['buckets.again.name: same account and name as buckets.climate; each (account, name) pair must be unique'],
    );
  });

  it('does not require accounts in path mode', () => {
    const config = validateConfig({ connections: { m: { type: 'memory' } }, buckets: { climate: { connection: 'm' } } }, options);
    assert.equal(config.buckets[0]!.account, undefined);
  });
});

describe('validateConfig environment variables', () => {
  it('replaces ${env:NAME} in string values, whole or embedded', () => {
    const config = validateConfig(
      {
        server: { tokenSecret: '${env:TOKEN_SECRET}', listen: '${env:HOST}:${env:PORT}' },
        connections: { local: { type: 'fs', root: '${env:DATA_DIR}/open' } },
      },
      { ...options, env: { TOKEN_SECRET: 's'.repeat(40), HOST: '0.0.0.0', PORT: '9100', DATA_DIR: '/mnt/data' } },
    );
    assert.equal(config.server.tokenSecret, 's'.repeat(40));
    assert.equal(config.server.listen, '0.0.0.0:9100');
    assert.equal(config.connections.local!.root, '/mnt/data/open');
  });

  it('reports each missing variable once, without follow-on problems for the same field', () => {
    const lines = linesOf({
      server: { tokenSecret: '${env:MISSING_SECRET}' },
      connections: { local: { type: 'memory' } },
      buckets: { abc: { connection: '${env:MISSING_CONNECTION}' } },
    });
    assert.deepEqual(lines, [
      'server.tokenSecret: environment variable MISSING_SECRET is not set',
      'buckets.abc.connection: environment variable MISSING_CONNECTION is not set',
    ]);
  });

  it('never puts a variable value into a problem message', () => {
    const secret = 'Hunter2_do-not/print!';
    const problems = problemsOf(
      {
        server: { tokenSecret: '${env:SECRET}', listen: '${env:SECRET}', region: '${env:SECRET}', cors: { allowedOrigins: ['${env:SECRET}'] } },
        connections: { m: { type: 'memory' } },
        buckets: { abc: { connection: '${env:SECRET}', prefix: '/${env:SECRET}', account: '${env:SECRET}' } },
      },
      { env: { SECRET: secret } },
    );
    assert.equal(problems.length, 7);
    for (const problem of problems) assert.equal(problem.message.includes(secret), false, problem.message);
  });
});

describe('validateConfig reports everything at once', () => {
  it('collects interpolation, schema, cross-field and fs problems in one error, in document order', () => {
    let error: unknown;
    try {
      validateConfig(
        {
          buckets: { Bad: { connection: 'nowhere', prefix: '/x' } },
          server: { listen: 'nope', tokenSecret: '${env:NOT_SET}' },
          connections: { local: { type: 'fs', root: 'missing' } },
        },
        { ...options, checkDirectory: () => 'no such directory' },
      );
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => `${p.path}: ${p.message}`),
      [
        'server.listen: must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000',
        'server.tokenSecret: environment variable NOT_SET is not set',
        'connections.local.root: no such directory',
        'buckets.Bad.prefix: must be relative to the connection: remove the leading "/"',
        'buckets.Bad: bucket name may contain only lowercase letters, digits, dots and hyphens',
        'buckets.Bad.connection: no such connection (defined: local)',
      ],
    );
    assert.ok(error.problems.every((p) => p.source === 'sluice.yaml'));
    assert.equal(error.message.split('\n').length, 6);
    assert.equal(error.message.split('\n')[0], 'sluice.yaml: server.listen: must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000');
  });
});
