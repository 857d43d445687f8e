"""Tools for querying the harvest: the ``djazairess`` command (search, show, stats, export)
and Datasette browsing. They read the database the crawl writes; they never write to it."""
