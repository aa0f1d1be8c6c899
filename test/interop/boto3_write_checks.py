"""boto3 write checks against a running Sluice; prints one JSON object of results.

Reads SLUICE_URL, SLUICE_KEY_ID, SLUICE_SECRET and SLUICE_BUCKET (a bucket the key may write).
"""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BUCKET = os.environ["SLUICE_BUCKET"]
s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["SLUICE_URL"],
    region_name="us-east-1",
    aws_access_key_id=os.environ["SLUICE_KEY_ID"],
    aws_secret_access_key=os.environ["SLUICE_SECRET"],
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4"),
)


def put_with_headers(headers, **kwargs):
    """put_object with extra headers, signed: this botocore's model may lack IfNoneMatch / IfMatch."""
    def add(request, **_):
        for name, value in headers.items():
            request.headers[name] = value
    s3.meta.events.register_first("before-sign.s3.PutObject", add)
    try:
        return s3.put_object(**kwargs)
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", add)


def error_of(call):
    try:
        call()
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None


results = {}
put = s3.put_object(
    Bucket=BUCKET, Key="boto/report.csv", Body=b"a,b\n1,2\n", ContentType="text/csv",
    Metadata={"owner": "team-a"}, ChecksumAlgorithm="CRC32", StorageClass="STANDARD_IA", Tagging="stage=raw",
)
head = s3.head_object(Bucket=BUCKET, Key="boto/report.csv", ChecksumMode="ENABLED")
got = s3.get_object(Bucket=BUCKET, Key="boto/report.csv", ChecksumMode="ENABLED")
results["put_and_read_back"] = {
    "put_crc32": put.get("ChecksumCRC32"),
    "head_crc32": head.get("ChecksumCRC32"),
    "get_crc32": got.get("ChecksumCRC32"),
    "body": got["Body"].read().decode(),
    "content_type": head["ContentType"],
    "metadata": head["Metadata"],
    "storage_class": head.get("StorageClass"),
    "tag_count": got.get("TagCount"),
}
copied = s3.copy_object(Bucket=BUCKET, Key="boto/copy.csv", CopySource={"Bucket": BUCKET, "Key": "boto/report.csv"})
copy_head = s3.head_object(Bucket=BUCKET, Key="boto/copy.csv")
results["copy_object"] = {"etag_matches": copied["CopyObjectResult"]["ETag"] == put["ETag"], "metadata": copy_head["Metadata"]}
results["conditional"] = {
    "create_again": error_of(lambda: put_with_headers({"If-None-Match": "*"}, Bucket=BUCKET, Key="boto/report.csv", Body=b"x")),
    "stale_if_match": error_of(lambda: put_with_headers({"If-Match": '"00000000000000000000000000000000"'}, Bucket=BUCKET, Key="boto/report.csv", Body=b"x")),
    "matching_if_match": error_of(lambda: put_with_headers({"If-Match": copied["CopyObjectResult"]["ETag"]}, Bucket=BUCKET, Key="boto/copy.csv", Body=b"y")),
}
deleted = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "boto/report.csv"}, {"Key": "boto/copy.csv"}, {"Key": "boto/never"}]})
remaining = s3.list_objects_v2(Bucket=BUCKET, Prefix="boto/")
results["delete_objects"] = {
    "deleted": sorted(d["Key"] for d in deleted.get("Deleted", [])),
    "errors": deleted.get("Errors", []),
    "remaining": remaining.get("KeyCount"),
}
print(json.dumps(results))
