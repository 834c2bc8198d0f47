"""Container health check: exit 0 when this web process answers GET /healthz with 200.

Run inside the web container (compose healthcheck). Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request


def site_host() -> str:
    # Django answers only to ALLOWED_HOSTS; "*" or a ".domain" wildcard still needs a name.
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    return "localhost" if first in {"", "*"} else first.lstrip(".")


def main() -> int:
    port = os.environ.get("HEALTHCHECK_PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": site_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - http, fixed
            print(response.read().decode())
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode(), file=sys.stderr)
    except OSError as error:
        print(error, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
