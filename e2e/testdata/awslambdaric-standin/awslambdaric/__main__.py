"""python3 -m awslambdaric module.handler: see the package's docstring."""

import os
import sys

from . import run


def main(argv):
    if len(argv) < 2:
        print("usage: python3 -m awslambdaric module.handler", file=sys.stderr)
        return 2
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not api:
        print("awslambdaric: AWS_LAMBDA_RUNTIME_API is not set", file=sys.stderr)
        return 2
    return run(os.getcwd(), argv[1], api)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
