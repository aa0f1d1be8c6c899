"""boto3's managed transfers against Sluice with 5 MiB parts: upload_file and
download_file of a 23 MiB file (five parts), the multipart ETag, and
get_object by part number. Prints one JSON document of results."""
import hashlib
import json
import os
import tempfile

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MiB = 1024 * 1024
BUCKET = os.environ['SLUICE_BUCKET']

s3 = boto3.client(
    's3',
    endpoint_url=os.environ['SLUICE_URL'],
    aws_access_key_id=os.environ['SLUICE_KEY_ID'],
    aws_secret_access_key=os.environ['SLUICE_SECRET'],
    region_name='us-east-1',
    config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}),
)
transfer = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)

results = {}
with tempfile.TemporaryDirectory() as scratch:
    source = os.path.join(scratch, 'source.bin')
    data = os.urandom(23 * MiB)
    with open(source, 'wb') as f:
        f.write(data)
    s3.upload_file(source, BUCKET, 'boto3/big.bin', Config=transfer)
    head = s3.head_object(Bucket=BUCKET, Key='boto3/big.bin')
    results['etag'] = head['ETag']
    results['size'] = head['ContentLength']
    target = os.path.join(scratch, 'target.bin')
    s3.download_file(BUCKET, 'boto3/big.bin', target, Config=transfer)
    with open(target, 'rb') as f:
        back = f.read()
    results['sha256_equal'] = hashlib.sha256(back).hexdigest() == hashlib.sha256(data).hexdigest()
    part = s3.get_object(Bucket=BUCKET, Key='boto3/big.bin', PartNumber=5)
    results['part5'] = {
        'parts_count': part.get('PartsCount'),
        'content_range': part['ContentRange'],
        'equal': part['Body'].read() == data[20 * MiB:],
    }
    results['uploads_left'] = len(s3.list_multipart_uploads(Bucket=BUCKET).get('Uploads', []))
print(json.dumps(results))
