"""djazairess.com – Algerian newspapers, French edition under /fr, Arabic at the root."""

from crawler.sites.platform import ARABIC, FRENCH, PLATFORM_RESERVED, Edition, SelectorSet, Site

# The only article markup ever seen on the platform (older template) [seen].
# The kicker and source-link class names are [assumed].
ARTICLE_2018 = SelectorSet(
    version="2018",
    title="span.articletitle",
    kicker="span.articlesubtitle",
    dateline="span.articlenewspaper",
    body="span.articlecontent",
    source_link="a.articlesource",
)

DJAZAIRESS = Site(
    name="djazairess",
    base_url="https://www.djazairess.com",
    editions={
        "fr": Edition(
            prefix="fr",
            language=FRENCH,
            selector_sets=(ARTICLE_2018,),
            reserved_slugs=PLATFORM_RESERVED,
        ),
        "ar": Edition(
            prefix="",
            language=ARABIC,
            selector_sets=(ARTICLE_2018,),
            reserved_slugs=PLATFORM_RESERVED
            | {"politics", "economics", "international", "sports", "society", "culture",
               "religion", "health"},
        ),
    },
)
