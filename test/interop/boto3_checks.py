"""boto3 checks against a running Sluice; prints one JSON object of results.

Reads SLUICE_URL, SLUICE_KEY_ID and SLUICE_SECRET from the environment.
"""
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ["SLUICE_URL"]
BUCKET = "restricted"


def client(key_id, secret):
    return boto3.client(
        "s3",
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4"),
    )


def fetch(url):
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def error_of(call):
    try:
        call()
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None


def xml_error(status, body):
    match = re.search(r"<Code>([^<]+)</Code>", body)
    return [match.group(1) if match else None, status]


s3 = client(os.environ["SLUICE_KEY_ID"], os.environ["SLUICE_SECRET"])
results = {}

UPLOADS = "uploads"
s3.put_object(Bucket=UPLOADS, Key="py/hello.txt", Body=b"hello from boto3", ContentType="text/plain", Metadata={"origin": "boto3"})
written = s3.get_object(Bucket=UPLOADS, Key="py/hello.txt")
results["put_then_get"] = {"body": written["Body"].read().decode(), "content_type": written["ContentType"], "metadata": written["Metadata"], "etag": written["ETag"]}
s3.delete_object(Bucket=UPLOADS, Key="py/hello.txt")
results["deleted"] = error_of(lambda: s3.head_object(Bucket=UPLOADS, Key="py/hello.txt"))

results["get_object"] = s3.get_object(Bucket=BUCKET, Key="data/measurements.csv")["Body"].read().decode()
head = s3.head_object(Bucket=BUCKET, Key="readme.txt")
results["head_object"] = {"ContentLength": head["ContentLength"], "ETag": head["ETag"]}
ranged = s3.get_object(Bucket=BUCKET, Key="readme.txt", Range="bytes=5-14")
results["range"] = {"body": ranged["Body"].read().decode(), "content_range": ranged["ContentRange"]}

pages = 0
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="paged/", PaginationConfig={"PageSize": 7}):
    pages += 1
    keys.extend(item["Key"] for item in page.get("Contents", []))
results["paginated"] = {"pages": pages, "keys": keys}

with tempfile.TemporaryDirectory() as scratch:
    target = os.path.join(scratch, "download.csv")
    s3.download_file(BUCKET, "data/measurements.csv", target)
    with open(target, encoding="utf-8") as handle:
        results["download_file"] = handle.read()

presigned = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "readme.txt"}, ExpiresIn=300)
results["presigned"] = fetch(presigned)[1]

errors = {}
errors["wrong_secret"] = error_of(lambda: client(os.environ["SLUICE_KEY_ID"], "x" * 40).list_objects_v2(Bucket=BUCKET))
errors["unknown_key"] = error_of(lambda: client("SLAKUNKNOWNKEY234567", "x" * 40).list_objects_v2(Bucket=BUCKET))
short = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "readme.txt"}, ExpiresIn=1)
time.sleep(2.1)
status, body = fetch(short)
errors["expired_presigned"] = xml_error(status, body) + ["Request has expired" in body]
tampered = re.sub(r"X-Amz-Signature=([0-9a-f])", lambda m: "X-Amz-Signature=" + ("1" if m.group(1) == "0" else "0"), presigned)
errors["tampered_presigned"] = xml_error(*fetch(tampered))
results["errors"] = errors

print(json.dumps(results))
