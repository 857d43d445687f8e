"""The replica's hand-written French articles: the ground truth the tests compare with.

Every field here is what the pipeline must store for the article. The texts are our own
(fictional local news in the shape of the real site's pages), never copied from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

NEWSPAPERS: dict[str, str] = {
    "elwatan": "El Watan",
    "lesoirdalgerie": "Le Soir d'Algérie",
    "liberte": "Liberté",
    "lexpression": "L'Expression",
    "lnr": "La Nouvelle République",
}

TEMPLATES = ("jsf2018", "html5", "soup")


@dataclass(frozen=True)
class FixtureArticle:
    newspaper: str
    article_id: str
    title: str
    kicker: str | None
    published: dt.date
    paragraphs: tuple[str, ...]
    source_url: str
    template: str = "jsf2018"
    author: str | None = None
    # "utf-8"; "windows-1252" (labelled as such); "windows-1252-as-utf-8" (labelled UTF-8: mislabelled)
    encoding: str = "utf-8"
    date_in_words: bool = False  # "le 3 mars 2024" instead of the site's "03 - 03 - 2024"
    in_listings: bool = True  # False: reachable only through the headline ticker
    tracking_link: bool = False  # linked from the home page with tracking query strings
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        return f"/fr/{self.newspaper}/{self.article_id}"

    @property
    def source(self) -> str:
        return NEWSPAPERS[self.newspaper]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def expected(self) -> dict:
        """The row the pipeline must store (without url/site/timestamps)."""
        return {
            "title": self.title,
            "kicker": self.kicker,
            "source": self.source,
            "source_slug": self.newspaper,
            "source_url": self.source_url,
            "published_on": self.published.isoformat(),
            "body": self.body,
            "language": "fr",
        }


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


A = FixtureArticle
ARTICLES: tuple[FixtureArticle, ...] = (
    A("elwatan", "1616801", "Tizi Ouzou : la saison des olives s’annonce généreuse",
      "Agriculture de montagne", _d("2025-06-12"),
      ("Les oléiculteurs de la wilaya de Tizi Ouzou attendent une récolte nettement supérieure à celle de l’an dernier, grâce aux pluies de printemps.",
       "Les huileries traditionnelles se préparent déjà : plusieurs d’entre elles ont renouvelé leurs meules et leurs presses durant l’hiver.",
       "« Nous n’avons pas vu des arbres aussi chargés depuis dix ans », confie un producteur de la région des Ouadhias."),
      "https://www.elwatan.example/regions/tizi-ouzou/olives-1616801", "jsf2018", "Kamel BENALI"),
    A("elwatan", "1616790", "Le tramway de Sétif prolongé vers le pôle universitaire", None, _d("2025-05-28"),
      ("Les travaux de prolongement de la ligne de tramway de Sétif vers le pôle universitaire d’El Bez ont été lancés hier.",
       "Le nouveau tronçon, long de 4,2 kilomètres, comptera six stations et devrait être mis en service avant la fin de l’année prochaine."),
      "https://www.elwatan.example/regions/setif/tramway-1616790", "html5", "Nadia OUALI"),
    A("elwatan", "1616755", "Sécheresse : les barrages de l’Ouest à 30% de leur capacité",
      "Ressources hydriques", _d("2025-03-04"),
      ("Le taux de remplissage des barrages de l’ouest du pays ne dépasse pas 30%, selon les derniers relevés de l’agence nationale.",
       "■ Oran et Mostaganem sont alimentées en priorité par le dessalement.",
       "■ Un programme de forages d’urgence est en cours à Tlemcen.",
       "■ Les agriculteurs sont invités à adopter l’irrigation au goutte-à-goutte.",
       "S. Hamidi"),
      "https://www.elwatan.example/economie/barrages-1616755", "soup", date_in_words=True),
    A("elwatan", "1616700", "Programme TV : la soirée du mercredi 5 mars 2025",
      None, _d("2025-03-04"),
      ("Deux matchs de championnat et un documentaire sur le patrimoine du M’zab sont au programme de la soirée de demain.",
       "La télévision publique retransmettra également un concert enregistré au théâtre de plein air de Riadh El Feth."),
      "https://www.elwatan.example/culture/programme-tv-1616700", "jsf2018"),
    A("elwatan", "1616650", "Le port de Béjaïa modernise son terminal à conteneurs",
      "Logistique", _d("2024-11-19"),
      ("Le port de Béjaïa a réceptionné deux nouveaux portiques de quai, qui doivent réduire de moitié le temps d’attente des navires.",
       "L’entreprise portuaire annonce un objectif de 400 000 conteneurs traités par an d’ici 2027."),
      "https://www.elwatan.example/economie/port-bejaia-1616650", "html5", "Rachid DAHMANI"),
    A("elwatan", "1000123", "Constantine : réouverture du pont suspendu de Sidi M’cid",
      "Après six mois de travaux", _d("2023-09-02"),
      ("Le pont suspendu de Sidi M’cid a rouvert à la circulation piétonne après six mois de travaux de confortement des câbles.",
       "Les services de la wilaya ont installé un système de surveillance permanente des haubans."),
      "https://www.elwatan.example/regions/constantine/pont-1000123", "soup"),
    A("elwatan", "1616500", "Rentrée universitaire : 60 000 nouveaux bacheliers à l’Est", None, _d("2022-09-18"),
      ("Les universités de l’est du pays accueillent cette année près de 60 000 nouveaux bacheliers.",
       "Les résidences universitaires ont été rénovées pendant l’été, assure la direction des œuvres universitaires."),
      "https://www.elwatan.example/societe/rentree-1616500", "jsf2018"),

    A("lesoirdalgerie", "2201450", "Alger : les bus électriques en test sur la ligne du front de mer",
      "Transport urbain", _d("2025-06-02"),
      ("Trois bus électriques circulent depuis lundi sur la ligne qui relie la place des Martyrs à Bab El Oued.",
       "L’entreprise de transport urbain évaluera leur autonomie pendant les fortes chaleurs avant toute commande."),
      "https://www.lesoirdalgerie.example/actualites/bus-electriques-2201450", "html5", "Mourad KACI"),
    A("lesoirdalgerie", "2201399", "Le prix de la pomme de terre repart à la hausse",
      None, _d("2025-04-22"),
      ("Sur les marchés de gros, le kilogramme de pomme de terre a gagné près de 20 dinars en une semaine.",
       "Les mandataires expliquent cette hausse par la fin de la récolte de saison et le retard de la récolte d´arrière-saison.",
       "Le ministère du Commerce promet de déstocker une partie des réserves régulatrices."),
      "https://www.lesoirdalgerie.example/actualites/pomme-de-terre-2201399", "jsf2018",
      encoding="windows-1252"),
    A("lesoirdalgerie", "2201350", "« Le conte populaire est une école de la mémoire »",
      "Entretien avec une conteuse de Béchar", _d("2025-01-15"),
      ("Elle parcourt les écoles du Sud depuis vingt ans avec un sac de contes transmis par sa grand-mère.",
       "« Les enfants écoutent mieux qu’on ne le croit, il suffit de leur laisser le temps », dit-elle.",
       "Propos recueillis par L. Saadi"),
      "https://www.lesoirdalgerie.example/culture/conte-2201350", "soup", "Leila SAADI", date_in_words=True),
    A("lesoirdalgerie", "2201301", "Ramadhan : les horaires des marchés de proximité élargis",
      "Commerce", _d("2024-03-08"),
      ("Les marchés de proximité resteront ouverts jusqu’à 23 heures pendant le mois sacré dans la capitale.",
       "■ Les contrôles des prix seront renforcés.",
       "■ Une permanence sera assurée le vendredi."),
      "https://www.lesoirdalgerie.example/actualites/ramadhan-2201301", "jsf2018"),
    A("lesoirdalgerie", "2201250", "Oran accueille le salon de la pêche et de l’aquaculture", None, _d("2023-11-27"),
      ("Plus de quatre-vingts exposants participent au salon de la pêche qui s’est ouvert hier au centre des conventions d’Oran.",
       "Les organisateurs mettent l’accent sur l’aquaculture en cages flottantes."),
      "https://www.lesoirdalgerie.example/economie/salon-peche-2201250", "html5"),
    A("lesoirdalgerie", "2201200", "Santé : une campagne de dépistage du diabète dans les écoles",
      "Prévention", _d("2022-12-21"),
      ("Une campagne de dépistage du diabète de type 1 sera menée dans les écoles primaires de dix wilayas pilotes.",
       "Les médecins scolaires ont reçu une formation spécifique et des lecteurs de glycémie."),
      "https://www.lesoirdalgerie.example/sante/diabete-2201200", "soup"),

    A("liberte", "3300990", "Béjaïa : le festival du théâtre de rue fait son retour",
      "Culture", _d("2025-05-30"),
      ("Après trois ans d’absence, le festival du théâtre de rue revient dans les ruelles de la vieille ville de Béjaïa.",
       "Quatorze troupes, dont trois venues de Tunisie et du Maroc, se produiront sur les places publiques.",
       "K. Tighilt"),
      "https://www.liberte.example/culture/theatre-rue-3300990", "soup", date_in_words=True),
    A("liberte", "3300950", "Un nouveau centre anticancer ouvre ses portes à Batna", None, _d("2025-02-11"),
      ("Le centre anticancer de Batna a accueilli ses premiers patients, qui n’auront plus à se rendre à Constantine pour leurs séances.",
       "L’établissement dispose de deux accélérateurs de particules et d’un service de médecine nucléaire."),
      "https://www.liberte.example/regions/batna/cac-3300950", "jsf2018", "Hocine MAZIGH",
      encoding="windows-1252-as-utf-8"),
    A("liberte", "3300900", "Football : le MC Alger & la JS Kabylie dos à dos",
      "Ligue 1", _d("2024-12-07"),
      ("Le classique entre le MC Alger et la JS Kabylie s’est terminé sur un score nul et vierge au stade du 5-Juillet.",
       "Les deux équipes restent à égalité de points en tête du classement, à deux longueurs du CR Belouizdad."),
      "https://www.liberte.example/sports/mca-jsk-3300900", "html5"),
    A("liberte", "3300850", "Les pêcheurs de Cherchell réclament un abri plus sûr",
      "Littoral", _d("2024-06-14"),
      ("Les pêcheurs artisanaux de Cherchell dénoncent l’ensablement du bassin, qui rend l’accostage dangereux par mauvais temps.",
       "La direction des travaux publics promet une opération de dragage avant l’hiver."),
      "https://www.liberte.example/regions/tipasa/cherchell-3300850", "jsf2018"),
    A("liberte", "3300800", "Tamanrasset : des panneaux solaires pour les écoles isolées", None, _d("2023-05-09"),
      ("Vingt écoles isolées de la wilaya de Tamanrasset sont désormais alimentées par des installations solaires.",
       "Le programme, financé par la wilaya, sera étendu à Djanet l’an prochain."),
      "https://www.liberte.example/regions/tamanrasset/solaire-3300800", "soup"),
    A("liberte", "1000123", "Kabylie : la route de Tikjda rouverte à la circulation",
      "Après les chutes de neige", _d("2023-01-30"),
      ("La route reliant Bouira à la station de Tikjda a été rouverte après trois jours de déneigement.",
       "Les services de la protection civile appellent les automobilistes à la prudence en raison du verglas."),
      "https://www.liberte.example/regions/bouira/tikjda-1000123", "html5"),

    A("lexpression", "4401777", "Le Parlement adopte la loi sur l’investissement numérique",
      "Économie numérique", _d("2025-06-10"),
      ("Les députés ont adopté à une large majorité le projet de loi relatif à l’investissement dans l’économie numérique.",
       "Le texte prévoit un guichet unique pour les start-up et des exonérations fiscales pendant cinq ans."),
      "https://www.lexpression.example/nationale/loi-numerique-4401777", "jsf2018", "Said BOUCETTA"),
    A("lexpression", "4401700", "Ghardaïa : la palmeraie menacée par la remontée des eaux",
      "Environnement", _d("2025-03-18"),
      ("La remontée des eaux usées fragilise les palmiers de la vallée du M’zab, alertent les associations locales.",
       "Une station d’épuration supplémentaire est en construction en aval de Ghardaïa."),
      "https://www.lexpression.example/regions/ghardaia-4401700", "html5"),
    A("lexpression", "4401650", "Cinéma : « Le Dernier Train » primé à Carthage", None, _d("2024-12-20"),
      ("Le long-métrage algérien « Le Dernier Train » a reçu le prix du meilleur scénario aux Journées cinématographiques de Carthage.",
       "Le film, tourné entre Oran et Saïda, sortira dans les salles algériennes au printemps."),
      "https://www.lexpression.example/culture/dernier-train-4401650", "soup", date_in_words=True),
    A("lexpression", "4401600", "Les exportations hors hydrocarbures progressent de 12%",
      "Commerce extérieur", _d("2024-02-26"),
      ("Les exportations hors hydrocarbures ont progressé de 12% l’an dernier, portées par les engrais et le ciment.",
       "Les exportateurs réclament toutefois des lignes maritimes plus régulières vers l’Afrique de l’Ouest."),
      "https://www.lexpression.example/economie/exportations-4401600", "jsf2018", tracking_link=True),
    A("lexpression", "4401550", "Sonatrach signe un accord de recherche avec une université",
      None, _d("2023-07-03"),
      ("Sonatrach et l’université de Boumerdès ont signé une convention de recherche sur la récupération assistée du pétrole.",
       "Une vingtaine de doctorants seront accueillis dans les laboratoires de l’entreprise."),
      "https://www.lexpression.example/economie/sonatrach-4401550", "html5"),
    A("lexpression", "4401500", "Hand : l’équipe nationale féminine en stage à Alger",
      "Préparation", _d("2022-10-11"),
      ("La sélection nationale féminine de handball entame un stage de dix jours au complexe de Souidania.",
       "Le sélectionneur a convoqué dix-huit joueuses, dont quatre évoluent en Europe."),
      "https://www.lexpression.example/sports/hand-4401500", "soup"),

    A("lnr", "1803221451", "Annaba : le téléphérique reprend du service",
      "Transport", _d("2025-05-05"),
      ("Le téléphérique d’Annaba, à l’arrêt depuis huit mois, a repris du service après le remplacement de ses cabines.",
       "Les tarifs restent inchangés, précise l’entreprise de transport par câble."),
      "https://www.lnr.example/regions/annaba-1803221451", "jsf2018"),
    A("lnr", "1803221300", "Mostaganem : la plage des Sablettes labellisée",
      None, _d("2024-07-22"),
      ("La plage des Sablettes a obtenu le label de plage propre décerné par le ministère de l’Environnement.",
       "Des postes de secours supplémentaires ont été installés pour la saison estivale."),
      "https://www.lnr.example/regions/mostaganem-1803221300", "html5", "Amina TALEB"),
    A("lnr", "1803221200", "Agriculture : le blé dur récolté plus tôt dans les Hauts-Plateaux",
      "Campagne moissons-battages", _d("2024-06-03"),
      ("La campagne moissons-battages a commencé avec deux semaines d’avance dans les wilayas des Hauts-Plateaux.",
       "■ Sétif prévoit un rendement de 30 quintaux à l’hectare.",
       "■ Tiaret a mobilisé 1 200 moissonneuses-batteuses.",
       "B. Larbi"),
      "https://www.lnr.example/economie/moissons-1803221200", "soup", date_in_words=True),
    A("lnr", "1803221100", "Le musée de Cirta rouvre avec une salle consacrée à Massinissa",
      "Patrimoine", _d("2023-04-16"),
      ("Le musée national de Cirta, à Constantine, a rouvert ses portes avec une nouvelle salle consacrée au roi numide Massinissa.",
       "Des reconstitutions en trois dimensions permettent de découvrir la ville antique."),
      "https://www.lnr.example/culture/cirta-1803221100", "jsf2018"),
    A("lnr", "1803221000", "Skikda : la pêche au thon rouge encadrée", None, _d("2022-05-25"),
      ("Les quotas de pêche au thon rouge attribués aux armateurs de Skikda ont été publiés hier.",
       "Des observateurs embarqués suivront chaque campagne, conformément aux engagements internationaux."),
      "https://www.lnr.example/economie/thon-1803221000", "html5"),

    # reachable only through the headline ticker
    A("elwatan", "1616811", "Alerte météo : fortes pluies attendues sur le littoral est",
      "Bulletin spécial", _d("2025-06-14"),
      ("L’Office national de la météorologie annonce des pluies orageuses sur les wilayas du littoral est à partir de ce soir.",
       "Les cumuls pourraient atteindre 40 millimètres par endroits, notamment à Jijel et à Skikda."),
      "https://www.elwatan.example/actualite/alerte-meteo-1616811", "html5", in_listings=False),
    A("liberte", "3300995", "Tlemcen : inauguration d’une bibliothèque de quartier à Imama",
      None, _d("2025-06-13"),
      ("Une bibliothèque de quartier de 3 000 ouvrages a été inaugurée hier dans la cité Imama, à Tlemcen.",
       "Elle propose des ateliers de lecture pour enfants le mercredi et le samedi."),
      "https://www.liberte.example/regions/tlemcen/bibliotheque-3300995", "soup", in_listings=False),
)

# Articles whose headline runs in the ticker (besides the ticker-only ones).
TICKER_PATHS = (
    "/fr/elwatan/1616801",
    "/fr/elwatan/1616700",  # a ticker headline carrying a date ("mercredi 5 mars 2025")
    "/fr/lesoirdalgerie/2201450",
    "/fr/lexpression/4401777",
    "/fr/lnr/1803221451",
)

# Headlines of the ticker that link nowhere useful (other editions, empty text).
TICKER_EXTRAS = (
    ("/fr/elwatan/1616811", "Alerte météo : fortes pluies attendues sur le littoral est"),
    ("/fr/liberte/3300995", "Tlemcen : inauguration d’une bibliothèque de quartier à Imama"),
    ("/fr/liberte/3300990", ""),  # empty link [seen on the real ticker]
    ("/fr/liberte/999001", "Coupe d’Algérie : le tirage au sort du lundi 2 juin 2025"),  # a broken page
)

# An article URL whose page lost its date line (a template the extractor cannot read):
# it must be dropped with a counted reason, never stored.
BROKEN_PAGES = {"/fr/liberte/999001": "Coupe d’Algérie : le tirage au sort du lundi 2 juin 2025"}
