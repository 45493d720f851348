# The function of AWS's bash-example-wrapper sample, unchanged in what it
# does: it answers every event with a 200 and a greeting. The wrapper
# (wrapper_script) shows in the function's log, not in its result.

import json


def lambda_handler(event, context):
    return {
        'statusCode': 200,
        'body': json.dumps('Hello from Lambda!')
    }
