"""The project's own Scrapy signals."""

# An article page could not be fetched (after retries): url=, site=, reason=
fetch_failed = object()
