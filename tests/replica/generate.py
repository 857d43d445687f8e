"""More replica articles than anyone would write by hand (resume, scale and benchmark tests).

Deterministic: the same ``count`` and ``seed`` always give the same articles, spread over
the replica's newspapers, templates and the last few years, newest first by id.
"""

from __future__ import annotations

import datetime as dt
import random

from tests.replica.articles import NEWSPAPERS, TEMPLATES, FixtureArticle

PLACES = ("Oran", "Annaba", "Blida", "Tlemcen", "Béjaïa", "Sétif", "Biskra", "Ouargla", "Tizi Ouzou", "Médéa",
          "Skikda", "Jijel", "Mascara", "Laghouat", "Tiaret", "El Oued", "Chlef", "Bouira", "Djelfa", "Msila")
SUBJECTS = ("le marché couvert", "la station de dessalement", "le nouveau lycée", "la piscine communale",
            "le centre de santé", "la bibliothèque", "la zone industrielle", "le stade", "la gare routière",
            "le réseau d’assainissement", "la maison de jeunes", "le parc urbain")
ACTIONS = ("rouvre ses portes", "sera livré avant l’été", "attend toujours ses équipements",
           "accueille ses premiers usagers", "fait l’objet d’une extension", "reste fermé pour travaux")
KICKERS = ("Collectivités locales", "Infrastructures", "Vie quotidienne", "Éducation", "Santé", None, None)
SENTENCES = (
    "Les travaux, lancés il y a deux ans, ont connu plusieurs arrêts faute de financement.",
    "Les habitants du quartier attendaient cette réalisation depuis longtemps.",
    "Le wali a promis une enveloppe supplémentaire lors de sa dernière visite d’inspection.",
    "L’entreprise chargée du chantier affirme avoir rattrapé l’essentiel du retard.",
    "Une commission technique doit encore valider la conformité des installations.",
    "Les élus de l’assemblée populaire communale ont voté le budget nécessaire à l’unanimité.",
    "Plusieurs associations ont salué l’initiative tout en demandant davantage de concertation.",
    "Le directeur de wilaya assure que l’équipement sera exploité dès la rentrée.",
    "■ Le coût global du projet dépasse les 300 millions de dinars.",
    "■ Une centaine d’emplois directs sont annoncés.",
)


def generated_articles(count: int, seed: int = 1, first_id: int = 5_000_000,
                       newest: dt.date = dt.date(2025, 6, 20)) -> list[FixtureArticle]:
    rng = random.Random(seed)
    slugs = list(NEWSPAPERS)
    made = []
    for n in range(count):
        slug = slugs[n % len(slugs)]
        place, subject, action = rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(ACTIONS)
        paragraphs = rng.sample(SENTENCES[:8], 2) + ([rng.choice(SENTENCES[8:])] if n % 4 == 0 else [])
        made.append(FixtureArticle(
            newspaper=slug,
            article_id=str(first_id + n),
            title=f"{place} : {subject} {action} ({n + 1})",
            kicker=KICKERS[n % len(KICKERS)],
            published=newest - dt.timedelta(days=n // 3),
            paragraphs=(f"À {place}, {subject} {action}, a-t-on appris auprès des services concernés.", *paragraphs),
            source_url=f"https://www.{slug}.example/regions/{first_id + n}",
            template=TEMPLATES[n % len(TEMPLATES)],
            date_in_words=(n % 7 == 3 and TEMPLATES[n % len(TEMPLATES)] == "soup"),
        ))
    return made
