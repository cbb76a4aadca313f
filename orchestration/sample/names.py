"""Fake people and company names (French and English), and the slugs used in e-mails.

Everything is invented; e-mail domains use the reserved `.example` top-level domain.
"""

from __future__ import annotations

import random
import re
import unicodedata

MSP_DOMAIN = "nimbus-infogerance.example"

FRENCH_FIRST = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Julie",
    "Emma",
    "Clara",
    "Lucie",
    "Pauline",
    "Marion",
    "Élodie",
    "Claire",
    "Anaïs",
    "Mathilde",
    "Océane",
    "Justine",
    "Nadia",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Alexandre",
    "Romain",
    "Hugo",
    "Lucas",
    "Quentin",
    "Kévin",
    "Mehdi",
    "Karim",
    "Sébastien",
    "Guillaume",
    "Baptiste",
    "Théo",
    "Louis",
    "Mathieu",
    "Florian",
    "Jérôme",
    "Yanis",
    "Adrien",
    "Benoît",
    "Cédric",
    "Rémi",
)
ENGLISH_FIRST = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Charlie",
    "James",
    "William",
    "Thomas",
    "Daniel",
    "Samuel",
    "Matthew",
    "Ryan",
    "Liam",
    "Noah",
    "Ethan",
    "Amelia",
    "Olivia",
    "Isla",
    "Emily",
    "Sophie",
    "Grace",
    "Jessica",
    "Hannah",
    "Chloe",
    "Lucy",
    "Megan",
    "Charlotte",
    "Ella",
    "Priya",
    "Aisha",
    "Ruth",
    "Fiona",
    "Rachel",
    "Kate",
    "Laura",
)
FRENCH_LAST = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Brunet",
    "Benali",
    "Nguyen",
    "Meyer",
    "Carpentier",
    "Colin",
    "Le Gall",
    "Marchand",
)
ENGLISH_LAST = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "Harris",
    "Hughes",
    "Edwards",
    "Cooper",
    "Turner",
    "Hill",
    "Ward",
    "Morgan",
    "Baker",
    "Harper",
    "Cole",
    "Fletcher",
    "O'Brien",
    "Mackenzie",
    "Bennett",
    "Gray",
    "Shaw",
)
FRENCH_PLACES = (
    "Saint-Roch",
    "Belleville",
    "Montsouris",
    "Vauban",
    "Beaulieu",
    "Les Tilleuls",
    "Val de Loire",
    "Bellecour",
    "Confluence",
    "Croix-Rousse",
    "Presqu'île",
    "Part-Dieu",
    "Mont-Blanc",
    "Armor",
    "Garonne",
    "Vercors",
    "Lumière",
    "Sainte-Anne",
    "Les Iris",
    "Haussmann",
)
ENGLISH_PLACES = (
    "Riverside",
    "Kingsway",
    "Thames",
    "Highgate",
    "Northfield",
    "Oakwood",
    "Harbourside",
    "Greenwich",
    "Camden",
    "Chiltern",
    "Pennine",
    "Westgate",
    "Ashford",
    "Elmstead",
)
SWISS_PLACES = ("Léman", "Lavaux", "Jura", "Alpenblick", "Seeland", "Rhône", "Pilatus")
QUEBEC_PLACES = ("Laurentides", "Mont-Royal", "Saint-Laurent", "Outaouais", "Beauce", "Estrie")

# (country, industry) -> templates; {L} surname, {P} place. Some names carry commas or quotes.
_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "FR": {
        "legal": ("Cabinet {L} Avocats", "{L}, {L2} & Associés", "SCP {L} {L2}"),
        "accounting": ("{L} Expertise Comptable", "Fiduciaire {P}", "Cabinet {L} & Associés"),
        "healthcare": (
            "Clinique {P}",
            "Centre médical {P}",
            "Cabinet dentaire {L}",
            "Laboratoire {L}",
        ),
        "manufacturing": ("{L} Industries", "Mécanique {L}", "Ateliers {P}", "Plasturgie {L}"),
        "retail": ("Maison {L}", "Boutiques {P}", "Pharmacie {P}", "Optique {L}"),
        "logistics": ("Transports {L}", "{L} Logistique", "Entrepôts {P}"),
        "construction": ("{L} Bâtiment", "BTP {P}", "Menuiserie {L}", "Charpentes {L}"),
        "real_estate": ("Immobilière {P}", "Agence {L} Immobilier", "Foncière {P}"),
        "hospitality": ("Hôtel {P}", "Brasserie {L}", "Les Tables de {L}"),
        "education": ("École {P}", "Institut {L}", "Lycée privé {P}"),
        "non_profit": ("Association {P}", "Fondation {L}", "Les Amis de {P}"),
        "architecture": ("Atelier d'architecture {L}", "{L} Architectes", "Studio {P}"),
        "finance": ("{L} Patrimoine", "Courtage {P}", "Gestion privée {L}"),
    },
    "BE": {
        "legal": ("Bureau {L} Avocats", "{L} & {L2} Advocaten"),
        "accounting": ("Fiduciaire {L}", "{L} Comptabilité"),
        "healthcare": ("Polyclinique {P}", "Centre médical {L}"),
        "manufacturing": ("{L} & Fils", "Ateliers {L}"),
        "retail": ("Maison {L}", "Chocolaterie {L}"),
        "logistics": ("Transports {L} Anvers", "{L} Logistics"),
        "construction": ("Construction {L}", "{L} Bouw"),
        "real_estate": ("Immo {L}",),
        "hospitality": ("Brasserie {L}", "Hôtel {P} Bruxelles"),
        "education": ("Institut {L}",),
        "non_profit": ("ASBL {P}",),
        "architecture": ("Bureau d'architecture {L}",),
        "finance": ("{L} Finance",),
    },
    "CH": {
        "legal": ("Étude {L} Avocats", "{L} Rechtsanwälte AG"),
        "accounting": ("Fiduciaire {L} SA", "{L} Treuhand AG"),
        "healthcare": ("Clinique {P} SA", "Praxis {L}"),
        "manufacturing": ("{L} Präzision AG", "Horlogerie {L} SA"),
        "retail": ("Maison {L} SA",),
        "logistics": ("{P} Logistik AG",),
        "construction": ("{L} Bau AG", "Entreprise {L} SA"),
        "real_estate": ("Régie {P} SA",),
        "hospitality": ("Hôtel {P} SA",),
        "education": ("École {P} SA",),
        "non_profit": ("Fondation {P}",),
        "architecture": ("{L} Architekten AG",),
        "finance": ("Gestion de fortune {L} SA",),
    },
    "GB": {
        "legal": ("{L} & {L2} LLP", "{L} Solicitors"),
        "accounting": ("{L} Accountants Ltd", "{L} & Co Chartered Accountants"),
        "healthcare": ("{P} Dental Practice", "{P} Medical Centre"),
        "manufacturing": ("{L} Engineering Ltd", "{P} Fabrication Ltd"),
        "retail": ("{L}'s of {P}", "{P} Home Stores"),
        "logistics": ("{L} Logistics Ltd", "{P} Freight"),
        "construction": ("{L} Builders Ltd", "{P} Construction"),
        "real_estate": ("{P} Lettings", "{L} Estates"),
        "hospitality": ("The {P} Hotel", "{L} Inns Ltd"),
        "education": ("{P} Academy Trust",),
        "non_profit": ("{P} Community Trust", "Friends of {P}"),
        "architecture": ("{L} Architects", "Studio {L}"),
        "finance": ("{L} Wealth Management", "{P} Capital Partners"),
    },
    "CA": {
        "legal": ("{L} Avocats inc.", "{L} & {L2} LLP"),
        "accounting": ("{L} CPA inc.", "Comptables {P}"),
        "healthcare": ("Clinique {P}", "{P} Health Group"),
        "manufacturing": ("Usinage {L} inc.", "{P} Manufacturing Inc."),
        "retail": ("Boutique {L}", "{P} Outfitters"),
        "logistics": ("Transport {L} inc.", "{P} Logistics Inc."),
        "construction": ("Construction {L} inc.",),
        "real_estate": ("Immeubles {P}",),
        "hospitality": ("Auberge {P}", "Érablière {L}"),
        "education": ("Collège {P}",),
        "non_profit": ("Fondation {P}",),
        "architecture": ("{L} Architectes",),
        "finance": ("{L} Gestion de patrimoine",),
    },
}
_LEGAL_FORMS = {"FR": ("", "", " SAS", " SARL", " SA"), "BE": ("", " SRL", " SA", " BV")}


def person_name(rng: random.Random, french: bool) -> tuple[str, str]:
    firsts, lasts = (FRENCH_FIRST, FRENCH_LAST) if french else (ENGLISH_FIRST, ENGLISH_LAST)
    return rng.choice(firsts), rng.choice(lasts)


def _places(country: str) -> tuple[str, ...]:
    return {"GB": ENGLISH_PLACES, "CH": SWISS_PLACES, "CA": QUEBEC_PLACES}.get(
        country, FRENCH_PLACES
    )


def company_name(rng: random.Random, country: str, industry: str, used: set[str]) -> str:
    """A plausible, unused company name for a country and industry."""
    templates = _TEMPLATES[country][industry]
    lasts = ENGLISH_LAST if country == "GB" else FRENCH_LAST
    for attempt in range(50):
        template = rng.choice(templates)
        name = template.format(
            L=rng.choice(lasts), L2=rng.choice(lasts), P=rng.choice(_places(country))
        )
        name += rng.choice(_LEGAL_FORMS.get(country, ("",)))
        if attempt > 20:
            name = f"{name} {rng.choice(_places(country))}"
        if name not in used:
            used.add(name)
            return name
    name = f"{name} {len(used) + 1}"
    used.add(name)
    return name


def slug(text: str, separator: str = "-") -> str:
    """ASCII, lower case, words joined by `separator`: 'Léa Le Gall' -> 'lea-le-gall'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, plain.lower()).strip(separator)
