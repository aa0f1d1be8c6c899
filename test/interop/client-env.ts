/**
 * The environment the interoperability tests run aws-cli (and other AWS
 * clients) in: a home of the test's own, no config or credentials file of the
 * machine's user, no instance metadata lookups, no pager. Credentials and
 * anything else a test needs come in `extra`.
 */
import { join } from 'node:path';

export function isolatedAwsEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...extra,
  };
}
