"""``djazairess`` – query the harvest (SQLite or PostgreSQL, from ``DATABASE_URL``).

    djazairess search "Béjaïa port" [--source "El Watan"] [--since 2025-01-01] [--until ...] [--limit 20] [--format table|json|csv]
    djazairess show URL|ID
    djazairess stats
    djazairess export [--format jsonl|csv|parquet] [--source ...] [--since ...] [--until ...] --out FILE|-
    djazairess datasette [--port 8001]        # browse a SQLite harvest in the browser, read-only

On a terminal the output is a table; into a pipe it is JSON (or the chosen format).
Bad arguments or an unreachable database: one line on stderr and a non-zero status.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Any, NoReturn

from sqlalchemy.exc import DBAPIError, OperationalError

from crawler.logsafety import mask
from harvest import output, queries
from storage import create_db_engine, mask_url

EXIT_USAGE, EXIT_NOT_FOUND, EXIT_DATABASE = 2, 4, 3


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, not a usage block
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def date_argument(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {value!r}") from None


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {value!r}")
    return int(value)


def build_parser() -> Parser:
    parser = Parser(prog="djazairess", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", "sqlite:///articles.db"),
                        help="database URL (default: DATABASE_URL, else sqlite:///articles.db)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    def filters(command: argparse.ArgumentParser) -> None:
        command.add_argument("--source", help="newspaper: display name or slug")
        command.add_argument("--since", type=date_argument, help="published on or after (YYYY-MM-DD)")
        command.add_argument("--until", type=date_argument, help="published on or before (YYYY-MM-DD)")

    search = commands.add_parser("search", help="ranked full-text search with highlighted snippets")
    search.add_argument("text")
    filters(search)
    search.add_argument("--limit", type=positive, default=20)
    search.add_argument("--format", choices=("table", "json", "csv"))
    show = commands.add_parser("show", help="one article, all its fields and its revisions")
    show.add_argument("key", metavar="URL|ID")
    show.add_argument("--format", choices=("table", "json"))
    stats = commands.add_parser("stats", help="articles per newspaper per month; the latest crawl runs")
    stats.add_argument("--format", choices=("table", "json"))
    export = commands.add_parser("export", help="every matching article, streamed")
    filters(export)
    export.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl")
    export.add_argument("--out", required=True, help="a file, or - for standard output")
    datasette = commands.add_parser("datasette", help="browse a SQLite harvest with Datasette (read-only)")
    datasette.add_argument("--port", type=positive, default=8001)
    datasette.add_argument("--host", default="127.0.0.1")
    datasette.add_argument("--metadata-out", help="write the generated metadata.json here and exit")
    return parser


def fail(code: int, message: str) -> NoReturn:
    sys.stderr.write(f"djazairess: {mask(message)}\n")
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since and until and since > until:
        fail(EXIT_USAGE, f"--since {since} is after --until {until}")
    if args.command == "datasette":
        from harvest.datasette import serve

        return serve(args.database, args.host, args.port, args.metadata_out)
    try:
        engine = create_db_engine(args.database)
    except Exception as error:  # noqa: BLE001 - a malformed URL
        fail(EXIT_USAGE, f"bad database URL {mask_url(args.database)}: {error}")
    try:
        with engine.connect() as connection:
            return run(args, connection)
    except OperationalError as error:
        fail(EXIT_DATABASE, f"cannot reach the database {mask_url(args.database)}: {_first_line(error)}")
    except DBAPIError as error:
        fail(EXIT_DATABASE, f"database error on {mask_url(args.database)} (is it a harvest? run a crawl or "
                            f"`alembic upgrade head` first): {_first_line(error)}")
    except BrokenPipeError:  # `djazairess export --out - | head`
        return 0
    finally:
        engine.dispose()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", error)).strip()
    return text.splitlines()[0] if text else type(error).__name__


def run(args: argparse.Namespace, connection: Any) -> int:
    out = sys.stdout
    pick = args.format if getattr(args, "format", None) else ("table" if out.isatty() else "json")
    if args.command == "search":
        rows = queries.search(connection, args.text, queries.Filters(args.source, args.since, args.until), args.limit)
        if pick == "table":
            output.as_table(rows, out, ["published_on", "source", "title", "snippet"])
        elif pick == "csv":
            output.as_csv(rows, out, ["id", "published_on", "source", "title", "url", "snippet", "rank"])
        else:
            output.as_json(rows, out)
        return 0
    if args.command == "show":
        found = queries.show(connection, args.key)
        if found is None:
            fail(EXIT_NOT_FOUND, f"no article {args.key!r}")
        article, revisions = found
        if pick == "table":
            for name, value in article.items():
                out.write(f"{name:>15}: {output._cell(value) if name != 'body' else ''}\n")
            out.write("\n" + article["body"] + "\n")
            for revision in revisions:
                out.write(f"\n--- before {output._cell(revision['replaced_at'])}: {revision['title']}"
                          + (f" [{revision['kicker']}]" if revision["kicker"] else "") + "\n")
        else:
            output.as_json([{**article, "revisions": [{k: output._plain(v) for k, v in r.items()} for r in revisions]}], out)
        return 0
    if args.command == "stats":
        months, runs = queries.per_newspaper_month(connection), queries.latest_runs(connection)
        if pick == "table":
            out.write("Articles per newspaper per month\n")
            output.as_table(months, out)
            out.write("\nLatest crawl runs\n")
            output.as_table(runs, out)
        else:
            output.as_json([{"articles_per_newspaper_month": months, "latest_crawl_runs": runs}], out)
        return 0
    if args.command == "export":
        rows = queries.export_rows(connection, queries.Filters(args.source, args.since, args.until))
        columns = list(queries.EXPORT_COLUMNS)
        if args.format == "parquet":
            if args.out == "-":
                fail(EXIT_USAGE, "parquet needs a file: --out FILE.parquet")
            count = output.as_parquet(rows, args.out, columns)
        elif args.out == "-":
            count = output.as_jsonl(rows, out) if args.format == "jsonl" else output.as_csv(rows, out, columns)
        else:
            with open(args.out, "w", encoding="utf-8", newline="") as handle:
                count = output.as_jsonl(rows, handle) if args.format == "jsonl" else output.as_csv(rows, handle, columns)
        if args.out != "-":
            sys.stderr.write(f"{count} articles written to {args.out}\n")
        return 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
