"""Swedish words, names and sentences for ``flask seed-scale`` (network/deploy/scale.py).

Words follow a Zipf curve (a few very common, most rare) so that search sees both common words
with hundreds of thousands of matches ("samverkan") and rare ones, as in real forum text.
Compounds are built from parts so the vocabulary reaches a few thousand forms.
"""

from __future__ import annotations

import itertools
import random


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words(
    "och att det som en på för med av till är vi har inte kan om ett de men var vill ska "
    "också när mycket bra hur alla efter under genom mellan varje många nya gemensam"
)
TOPICAL = _words(
    "samverkan lägesbild lägesbilden åtgärdsplan åtgärd insatser uppföljning utvärdering "
    "trygghet trygghetsvandring trygghetsmätning belysning klotter skadegörelse nedskräpning "
    "ordningsstörningar narkotika langning rekrytering nyrekrytering nätverk gäng ungdomar "
    "unga skolan fritidsgård föräldrar föräldraskapsstöd socialtjänsten polisen kommunpolis "
    "bostadsbolaget fastighetsägare centrum stadsdel kvarter trapphus garage parkering "
    "kvällar helger sommarlov nattvandring föreningar civilsamhället idrott mentorer "
    "metodstöd erfarenheter resultat minskade ökade kommunen länsstyrelsen brå regionen "
    "handlingsplan kartläggning statistik anmälningar otrygghet hyresgäster kamerabevakning "
    "våld skjutningar sprängningar brottsligheten riskområde utsatt"
)
PREFIXES = ("trygghets", "brotts", "samverkans", "kommun", "skol", "fritids", "bostads", "polis",
            "ungdoms", "social", "stads", "läges", "åtgärds", "förenings", "idrotts", "familje")
SUFFIXES = ("arbete", "plan", "möte", "grupp", "frågor", "ansvar", "insats", "rapport", "samtal",
            "personal", "program", "rutiner", "uppdrag", "stöd", "analys", "beslut", "kontakt",
            "samordnare", "verksamhet", "träff", "underlag", "dialog", "utbildning", "enkät")

FIRST_NAMES = _words("Anna Erik Maria Lars Karin Anders Eva Johan Sara Per Lena Mikael Emma Karl "
               "Sofia Jonas Elin Fredrik Maja Oskar Ida Ahmed Fatima Hassan Amira Nils Linnea "
               "Gustav Hanna Ali Leila Daniel Johanna Mohammed Ebba Viktor Elsa Adam Alva")
LAST_NAMES = _words("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
              "Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Lindberg Lindström Ali "
              "Mohammadi Lindqvist Berg Holm Axelsson Sandberg Forsberg Sjöberg Ek Hassan")
ORG_KINDS = {
    "kommun": ("{m} kommun, socialförvaltningen", "{m} kommun, kultur och fritid",
               "{m} kommun, utbildningsförvaltningen", "{m} kommun, trygghetsenheten"),
    "polis": ("Lokalpolisområde {m}", "Polisen, områdespolis {m}"),
    "bostadsbolag": ("{m}hem AB", "Bostadsbolaget i {m}"),
    "fastighetsagare": ("Fastighetsägarna {m}", "{m} Centrumfastigheter"),
    "skola": ("{m} gymnasieskola", "Norra skolan i {m}"),
    "civilsamhalle": ("Nattvandrarna {m}", "Idrottsföreningen {m} IF", "Föräldraföreningen {m}"),
    "region": ("Region, vårdcentralen {m}",),
    "ovrigt": ("Företagarna {m}",),
}
GROUP_THEMES = ("Nyrekrytering till kriminella nätverk", "Trygghet i centrum", "Föräldraskapsstöd",
                "Ordningsstörningar i bostadsområden", "Narkotika och langning", "Skolan som skyddsfaktor",
                "Situationell prevention", "Lägesbild och kartläggning", "Våld i nära relationer",
                "Fritid och sommarlov", "Samverkan med civilsamhället", "Uppföljning och effekter")
CATEGORY_NAMES = ("Allmänt", "Frågor och svar", "Metoder", "Möten och protokoll", "Lägesbild",
                  "Erfarenheter", "Tips och länkar", "Uppföljning")
EVENT_TITLES = ("Nätverksträff: {t}", "Workshop om {t}", "Webbinarium: {t}", "Studiebesök, {t}",
                "Samverkansmöte om {t}")
MEASURE_TITLES = ("Trygghetsvandringar i {m}", "Mentorsprogram för unga i {m}",
                  "Föräldrastöd i grupp", "Belysning och röjning av buskage", "Nattvandring helger",
                  "Sommarlovsaktiviteter", "Kamerabevakning vid centrum", "Skolsamverkan mot skolk",
                  "Avhopparverksamhet", "Kartläggning av otrygga platser", "Fältgrupp kvällstid",
                  "Samverkan med bostadsbolaget")


def _vocabulary(seed: int = 22) -> tuple[list[str], list[float]]:
    rng = random.Random(seed)
    content = list(dict.fromkeys(TOPICAL + [p + s for p in PREFIXES for s in SUFFIXES]))
    rng.shuffle(content)
    # "samverkan" stays among the most frequent content words, as it is in the real forum.
    content.remove("samverkan")
    words = COMMON + ["samverkan"] + content
    return words, [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]


WORDS, WEIGHTS = _vocabulary()
CUMULATIVE = list(itertools.accumulate(WEIGHTS))  # computed once: choices() is the hot loop


def sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = rng.choices(WORDS, cum_weights=CUMULATIVE, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, low: int = 1, high: int = 5) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def title(rng: random.Random) -> str:
    return " ".join(rng.choices(TOPICAL, k=rng.randint(3, 6))).capitalize()


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def organisation_name(rng: random.Random, kind: str, place: str) -> str:
    return rng.choice(ORG_KINDS.get(kind, ORG_KINDS["ovrigt"])).format(m=place)
