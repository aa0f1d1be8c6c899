import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options, problemsOf } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const landsat = { type: 's3', endpoint: 'https://s3.us-west-2.amazonaws.com', region: 'us-west-2', bucket: 'landsat-pds' };

describe('validateConfig s3 connections', () => {
  it('fills defaults: virtual-host style, whole bucket, writable, anonymous', () => {
    const config = validateConfig({ connections: { landsat } }, options);
    assert.deepEqual(config.connections.landsat, {
      type: 's3',
      name: 'landsat',
      endpoint: 'https://s3.us-west-2.amazonaws.com',
      region: 'us-west-2',
      bucket: 'landsat-pds',
      forcePathStyle: false,
      prefix: '',
      readOnly: false,
    });
  });

  it('keeps explicit values, normalises the prefix and copies credentials', () => {
    const config = validateConfig(
      {
        connections: {
          minio: {
            type: 's3',
            endpoint: 'http://127.0.0.1:9000/gateway',
            region: 'us-east-1',
            bucket: 'research-data',
            forcePathStyle: true,
            prefix: 'sluice/2024',
            readOnly: true,
            credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', sessionToken: 'token-value' },
          },
        },
        buckets: { data: { connection: 'minio' } },
      },
      options,
    );
    assert.deepEqual(config.connections.minio, {
      type: 's3',
      name: 'minio',
      endpoint: 'http://127.0.0.1:9000/gateway',
      region: 'us-east-1',
      bucket: 'research-data',
      forcePathStyle: true,
      prefix: 'sluice/2024/',
      readOnly: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', sessionToken: 'token-value' },
    });
    assert.equal(config.buckets[0]!.connection, 'minio');
  });

  it('leaves sessionToken out when not given', () => {
    const config = validateConfig({ connections: { landsat: { ...landsat, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } } } }, options);
    const connection = config.connections.landsat;
    assert.equal(connection?.type, 's3');
    assert.deepEqual(connection.type === 's3' && connection.credentials, { accessKeyId: 'AKID', secretAccessKey: 'secret' });
  });

  it('allows a writable connection without credentials (writes are refused when they happen)', () => {
    const config = validateConfig({ connections: { landsat: { ...landsat, readOnly: false } } }, options);
    assert.equal(config.connections.landsat?.readOnly, false);
  });

  it('requires endpoint, region and bucket', () => {
    assert.deepEqual(linesOf({ connections: { remote: { type: 's3' } } }), [
      'connections.remote.endpoint: required',
      'connections.remote.region: required',
      'connections.remote.bucket: required',
    ]);
  });

  it('checks the endpoint, region, bucket name and prefix', () => {
    const lines = linesOf({
      connections: {
        a: { ...landsat, endpoint: 's3.amazonaws.com' },
        b: { ...landsat, endpoint: 'https://s3.example.com/?x=1' },
        c: { ...landsat, endpoint: 'https://s3.example.com/#frag' },
        d: { ...landsat, region: 'US West 2' },
        e: { ...landsat, bucket: 'Landsat_PDS' },
        f: { ...landsat, prefix: '/scenes' },
        g: { ...landsat, endpoint: 'ftp://s3.example.com' },
      },
    });
    assert.deepEqual(lines, [
      'connections.a.endpoint: must be an http or https URL such as https://s3.us-west-2.amazonaws.com',
      'connections.b.endpoint: must not have a query string',
      'connections.c.endpoint: must not have a fragment',
      'connections.d.region: must be a region name such as us-east-1 (lowercase letters, digits and hyphens)',
      'connections.e.bucket: may contain only lowercase letters, digits, dots and hyphens',
      'connections.f.prefix: must be relative to the connection: remove the leading "/"',
      'connections.g.endpoint: must be an http or https URL such as https://s3.us-west-2.amazonaws.com',
    ]);
  });

  it('checks field types and credentials, and suggests close field names', () => {
    const lines = linesOf({
      connections: {
        a: { ...landsat, forcePathStyle: 'yes', readonly: true },
        b: { ...landsat, credentials: { accessKeyId: 'AKID' } },
        c: { ...landsat, credentials: { accessKeyId: '', secretAccessKey: 's', sessionTokn: 't' } },
        d: { ...landsat, credentials: 'AKID:secret' },
      },
    });
    assert.deepEqual(lines, [
      'connections.a.forcePathStyle: expected true or false, got a string',
      'connections.a.readonly: unknown field (did you mean "readOnly"?)',
      'connections.b.credentials.secretAccessKey: required',
      'connections.c.credentials.accessKeyId: accessKeyId must not be empty',
      'connections.c.credentials.sessionTokn: unknown field (did you mean "sessionToken"?)',
      'connections.d.credentials: expected a mapping, got a string',
    ]);
  });

  it('takes credentials from the environment without ever repeating them', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const env = { LANDSAT_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', LANDSAT_SECRET: secret };
    const credentials = { accessKeyId: '${env:LANDSAT_KEY_ID}', secretAccessKey: '${env:LANDSAT_SECRET}' };
    const config = validateConfig({ connections: { landsat: { ...landsat, credentials } } }, { ...options, env });
    const connection = config.connections.landsat!;
    assert.deepEqual(connection.type === 's3' && connection.credentials, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret });

    // The same secret in fields that reject it: no message may contain it.
    const problems = problemsOf(
      { connections: { landsat: { ...landsat, endpoint: '${env:LANDSAT_SECRET}', region: '${env:LANDSAT_SECRET}', bucket: '${env:LANDSAT_SECRET}', prefix: '/${env:LANDSAT_SECRET}' } } },
      { env },
    );
    assert.equal(problems.length, 4);
    for (const problem of problems) assert.equal(problem.message.includes(secret), false, problem.message);
  });

  it('reports unset credential variables once, at the field', () => {
    const credentials = { accessKeyId: '${env:KEY_ID}', secretAccessKey: '${env:SECRET}' };
    assert.deepEqual(linesOf({ connections: { landsat: { ...landsat, credentials } } }), [
      'connections.landsat.credentials.accessKeyId: environment variable KEY_ID is not set',
      'connections.landsat.credentials.secretAccessKey: environment variable SECRET is not set',
    ]);
  });

  it('takes timeouts, retries, the circuit breaker and the object size limit, and checks them', () => {
    const tuned = {
      ...landsat,
      maxObjectSize: 1024,
      connectTimeoutMs: 1000,
      responseTimeoutMs: 5000,
      idleTimeoutMs: 8000,
      retries: 1,
      retryDeadlineMs: 12000,
      circuitBreaker: { failureThreshold: 3, coolDownMs: 10000 },
    };
    const config = validateConfig({ connections: { landsat: tuned, scratch: { type: 'memory', maxObjectSize: 4096 } } }, options);
    const connection = config.connections.landsat!;
    assert.ok(connection.type === 's3');
    assert.equal(connection.maxObjectSize, 1024);
    assert.equal(connection.connectTimeoutMs, 1000);
    assert.equal(connection.responseTimeoutMs, 5000);
    assert.equal(connection.idleTimeoutMs, 8000);
    assert.equal(connection.retries, 1);
    assert.equal(connection.retryDeadlineMs, 12000);
    assert.deepEqual(connection.circuitBreaker, { enabled: true, affectsReadiness: false, failureThreshold: 3, coolDownMs: 10000 });
    assert.equal(config.connections.scratch!.maxObjectSize, 4096);
    assert.deepEqual(
      linesOf({ connections: { landsat: { ...landsat, connectTimeoutMs: 0, retries: -1, circuitBreaker: { failureThreshold: 0, open: true } } } }).map((line) => line.split(':')[0]),
      ['connections.landsat.connectTimeoutMs', 'connections.landsat.retries', 'connections.landsat.circuitBreaker.failureThreshold', 'connections.landsat.circuitBreaker.open'],
    );
  });
});
