"""Declarative site definitions: adding a sister site or an edition is a new entry here."""

from crawler.sites.djazairess import DJAZAIRESS
from crawler.sites.platform import Edition, LanguageText, SelectorSet, Site

SITES: dict[str, Site] = {site.name: site for site in (DJAZAIRESS,)}


def get_site(name: str) -> Site:
    try:
        return SITES[name]
    except KeyError:
        raise ValueError(f"unknown site {name!r} (known: {', '.join(sorted(SITES))})") from None


__all__ = ["SITES", "Edition", "LanguageText", "SelectorSet", "Site", "get_site"]
