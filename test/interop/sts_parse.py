"""Parse STS responses with botocore's own parser and service model.

Reads {"responses": [{"status", "headers", "body"}]} as JSON on stdin and
prints, for each, what botocore makes of it: the parsed dict, and for
errors the modelled exception the error code maps to.
"""
import json
import sys

import botocore.parsers
import botocore.session

model = botocore.session.get_session().get_service_model('sts')
operation = model.operation_model('AssumeRoleWithWebIdentity')
parser = botocore.parsers.create_parser(model.protocol)

out = []
for response in json.load(sys.stdin)['responses']:
    parsed = parser.parse(
        {'status_code': response['status'], 'headers': response['headers'], 'body': response['body'].encode()},
        operation.output_shape,
    )
    error = parsed.get('Error')
    shape = model.shape_for_error_code(error['Code']) if error else None
    out.append({'parsed': parsed, 'exception': shape.name if shape else None})
print(json.dumps(out, default=str))
