"""`python -m bench.createdb URL`: create the benchmark's PostgreSQL database if missing.

Run before Django starts, since Django can't connect to a database that doesn't exist yet.
"""

from __future__ import annotations

import sys

import dj_database_url
import psycopg2
from psycopg2 import sql


def create_database_if_missing(url: str) -> None:
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    server = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}.")
    server.close()


if __name__ == "__main__":
    create_database_if_missing(sys.argv[1])
