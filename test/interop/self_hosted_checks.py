"""boto3 bucket creation and deletion against a self-hosted Sluice; prints one JSON object of results.

Reads SLUICE_URL, SLUICE_KEY_ID and SLUICE_SECRET (a key whose account may create buckets).
"""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["SLUICE_URL"],
    region_name="us-east-1",
    aws_access_key_id=os.environ["SLUICE_KEY_ID"],
    aws_secret_access_key=os.environ["SLUICE_SECRET"],
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4"),
)


def error_of(call):
    try:
        call()
    except ClientError as error:
        return [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None


results = {}
created = s3.create_bucket(Bucket="boto-bucket")
results["create"] = {
    "status": created["ResponseMetadata"]["HTTPStatusCode"],
    "location": created.get("Location"),
    "listed": "boto-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]],
}
results["create_again"] = error_of(lambda: s3.create_bucket(Bucket="boto-bucket"))
# Upper case and underscores pass botocore's own check; the server applies S3's naming rules.
results["invalid_name"] = error_of(lambda: s3.create_bucket(Bucket="Invalid_Name"))
results["other_region"] = error_of(
    lambda: s3.create_bucket(Bucket="boto-elsewhere", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
)
s3.put_object(Bucket="boto-bucket", Key="k.txt", Body=b"x")
results["delete_not_empty"] = error_of(lambda: s3.delete_bucket(Bucket="boto-bucket"))
s3.delete_object(Bucket="boto-bucket", Key="k.txt")
deleted = s3.delete_bucket(Bucket="boto-bucket")
results["delete"] = {
    "status": deleted["ResponseMetadata"]["HTTPStatusCode"],
    "listed": "boto-bucket" in [b["Name"] for b in s3.list_buckets().get("Buckets", [])],
}
results["delete_again"] = error_of(lambda: s3.delete_bucket(Bucket="boto-bucket"))
print(json.dumps(results))
