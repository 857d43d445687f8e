"""A replica of djazairess.com/fr served on loopback, for tests and the offline demo."""

from tests.replica.articles import ARTICLES, BROKEN_PAGES, NEWSPAPERS, FixtureArticle
from tests.replica.server import ReplicaServer
from tests.replica.site import Page, Replica

__all__ = ["ARTICLES", "BROKEN_PAGES", "NEWSPAPERS", "FixtureArticle", "Page", "Replica", "ReplicaServer"]
