/**
 * Ready-to-paste snippets for the object or prefix in view: the AWS CLI,
 * boto3, DuckDB, GDAL and rclone, each pointed at this Sluice endpoint. No
 * credentials are written into them.
 */

export interface SnippetTarget {
  endpoint: string;
  region: string;
  bucket: string;
  /** An object key, or a prefix ending in `/` ("" for the whole bucket). */
  path: string;
}

export interface Snippet {
  id: string;
  label: string;
  code: string;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const py = (text: string) => JSON.stringify(text);
const sql = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function snippets({ endpoint, region, bucket, path }: SnippetTarget): Snippet[] {
  const isPrefix = path === '' || path.endsWith('/');
  const s3Url = `s3://${bucket}/${path}`;
  const host = new URL(endpoint).host;
  const ssl = new URL(endpoint).protocol === 'https:';
  const name = path.split('/').filter(Boolean).pop() ?? bucket;
  const parquet = isPrefix ? `${s3Url}*.parquet` : s3Url;
  return [
    {
      id: 'aws-cli',
      label: 'AWS CLI',
      code: isPrefix
        ? `aws s3 ls --endpoint-url ${endpoint} ${quote(s3Url)}\naws s3 cp --recursive --endpoint-url ${endpoint} ${quote(s3Url)} ${quote(`./${name}/`)}`
        : `aws s3 cp --endpoint-url ${endpoint} ${quote(s3Url)} ${quote(`./${name}`)}`,
    },
    {
      id: 'boto3',
      label: 'Python (boto3)',
      code: [
        'import boto3',
        '',
        `s3 = boto3.client("s3", endpoint_url=${py(endpoint)}, region_name=${py(region)})`,
        isPrefix
          ? `for page in s3.get_paginator("list_objects_v2").paginate(Bucket=${py(bucket)}, Prefix=${py(path)}):\n    for obj in page.get("Contents", []):\n        print(obj["Key"], obj["Size"])`
          : `s3.download_file(${py(bucket)}, ${py(path)}, ${py(name)})`,
      ].join('\n'),
    },
    {
      id: 'duckdb',
      label: 'DuckDB',
      code: [
        'INSTALL httpfs; LOAD httpfs;',
        `SET s3_endpoint = ${sql(host)};`,
        `SET s3_region = ${sql(region)};`,
        "SET s3_url_style = 'path';",
        `SET s3_use_ssl = ${ssl};`,
        `SELECT * FROM read_parquet(${sql(parquet)}) LIMIT 10;`,
      ].join('\n'),
    },
    {
      id: 'gdal',
      label: 'GDAL',
      code: [
        `export AWS_S3_ENDPOINT=${quote(host)}`,
        `export AWS_HTTPS=${ssl ? 'YES' : 'NO'}`,
        'export AWS_VIRTUAL_HOSTING=FALSE',
        `export AWS_REGION=${quote(region)}`,
        `gdalinfo ${quote(`/vsis3/${bucket}/${path}`)}`,
      ].join('\n'),
    },
    {
      id: 'rclone',
      label: 'rclone',
      code: [
        `rclone config create sluice s3 provider=Other endpoint=${quote(endpoint)} region=${quote(region)} force_path_style=true env_auth=true`,
        isPrefix ? `rclone ls ${quote(`sluice:${bucket}/${path}`)}` : `rclone copy ${quote(`sluice:${bucket}/${path}`)} .`,
      ].join('\n'),
    },
  ];
}
