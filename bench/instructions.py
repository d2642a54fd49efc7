"""Instructions per request of one page, counted by valgrind's callgrind.

`make bench` times pages, and on a host whose speed moves from second to second (a fixed piece
of Python work took 54 to 89 ms within a minute on the benchmark machine) a timing says as much
about the host as about the code. The number of instructions a request executes doesn't move:
compare two versions of the code by it (the database server's work is not in it; compare SQL
apart).

    python -m bench.instructions --page /accounts/1/ [--as bench-teammate-2] [--requests 20]

runs this module twice under callgrind in fresh processes, with no timed request and with
`--requests`; the difference divided by that number is one request's count. Uses the bench
settings and database of the environment (the Makefile's `bench-instructions` sets them).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

WARM_UP = 3


def serve(page: str, username: str, requests: int) -> None:
    """Sign in, warm up (templates, translations, the user's access), then `requests` GETs."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from crm import garbage

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    for _ in range(WARM_UP):
        status = client.get(page).status_code
        if status != 200:
            raise SystemExit(f"{page} answered {status} to {username}")
    garbage.freeze()  # as a served process does after its first page (crm.wsgi)
    for _ in range(requests):
        client.get(page)


def collected(page: str, username: str, requests: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--serve",
        "--page",
        page,
        "--as",
        username,
        "--requests",
        str(requests),
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(run.stderr[-2000:])
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", required=True)
    parser.add_argument("--as", dest="username", default="bench")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.page, options.username, options.requests)
        return
    base = collected(options.page, options.username, 0)
    total = collected(options.page, options.username, options.requests)
    per_request = (total - base) / options.requests
    print(f"{options.page} as {options.username}: {per_request / 1e6:.1f} M instructions a request")


if __name__ == "__main__":
    main()
