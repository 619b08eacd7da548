"""A fixed Swedish evaluation corpus for search, generated deterministically from sentence parts.

40 subjects × 8 documents = 320 documents of five kinds (forum topics and replies, resources
with extracted text, some of it CSV, events, experience reports) in six municipalities, with
mixed access: public, members only, a group the reader belongs to and a closed group she does
not. Each subject has its own words (a base form that every document of the subject uses, and
inflected or compound forms that some use); the neutral filler sentences share no word with
any query. ``QUERIES`` lists what a person types and the subjects whose documents she expects.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from network import fulltext

# subject key → (theme code, forms: the first is in every document of the subject)
SUBJECTS: dict[str, tuple[str, list[str]]] = {
    "nyrekrytering": ("nyrekrytering", ["nyrekrytering", "nyrekryteringen", "nyrekryteringsarbetet"]),
    "trygghetsvandring": ("trygghet", ["trygghetsvandringar", "trygghetsvandringen", "trygghetsvandring"]),
    "nattvandring": ("trygghet", ["nattvandring", "nattvandringen", "nattvandrare"]),
    "gangkriminalitet": ("grovt_vald", ["gängkriminaliteten", "gängkriminalitet"]),
    "lagesbild": ("samverkan", ["Lägesbilden", "lägesbild", "lägesbilder"]),
    "kamerabevakning": ("situationell_prevention", ["kamerabevakning", "kamerabevakningen"]),
    "belysning": ("situationell_prevention", ["belysning", "belysningen", "gatubelysning"]),
    "klotter": ("ordningsstorningar", ["klotter", "klottret", "klottersanering"]),
    "skadegorelse": ("ordningsstorningar", ["skadegörelse", "skadegörelsen"]),
    "foraldraskapsstod": ("foraldraskapsstod", ["föräldraskapsstöd", "föräldraskapsstödet"]),
    "narkotika": ("narkotika", ["narkotika", "narkotikan", "narkotikahandel"]),
    "langning": ("narkotika", ["langning", "langningen"]),
    "ungdomsbrottslighet": ("nyrekrytering", ["ungdomsbrottsligheten", "ungdomsbrottslighet"]),
    "extremism": ("grovt_vald", ["extremism", "extremismen", "våldsbejakande"]),
    "socialtjanst": ("samverkan", ["socialtjänsten", "socialtjänstens"]),
    "fritidsgard": ("trygghet", ["fritidsgården", "fritidsgårdar"]),
    "bostadsbolag": ("trygghet", ["bostadsbolaget", "bostadsbolagen"]),
    "trapphus": ("trygghet", ["trapphusen", "trapphuset"]),
    "mentorskap": ("nyrekrytering", ["mentorskap", "mentorskapet"]),
    "sommarlov": ("trygghet", ["sommarlovet", "sommarlovsaktiviteter"]),
    "medborgarlofte": ("samverkan", ["medborgarlöftet", "medborgarlöften"]),
    "grannsamverkan": ("samverkan", ["grannsamverkan", "grannsamverkansområdet"]),
    "brottsoffer": ("grovt_vald", ["brottsoffer", "brottsofferstödet"]),
    "hedersfortryck": ("grovt_vald", ["hedersförtryck", "hedersförtrycket"]),
    "cykelstold": ("ordningsstorningar", ["cykelstölder", "cykelstöld"]),
    "inbrott": ("situationell_prevention", ["inbrott", "inbrotten", "bostadsinbrott"]),
    "bedrageri": ("samverkan", ["bedrägerier", "telefonbedrägerier"]),
    "kartlaggning": ("uppfoljning", ["kartläggningen", "kartläggning"]),
    "trygghetsmatning": ("uppfoljning", ["trygghetsmätningen", "trygghetsmätning"]),
    "orosanmalan": ("samverkan", ["orosanmälan", "orosanmälningar"]),
    "alkohol": ("narkotika", ["alkohol", "alkoholen", "alkoholförsäljning"]),
    "ordningsstorning": ("ordningsstorningar", ["ordningsstörningar", "ordningsstörningen"]),
    "kommunpolis": ("samverkan", ["kommunpolisen", "kommunpoliser"]),
    "otrygghet": ("trygghet", ["otryggheten", "otrygghet"]),
    "idrottsforening": ("trygghet", ["idrottsföreningen", "idrottsföreningar"]),
    "skolk": ("foraldraskapsstod", ["skolk", "skolket"]),
    "drogforebyggande": ("narkotika", ["drogförebyggande"]),
    "insatsgrupp": ("nyrekrytering", ["insatsgruppen", "insatsgrupper"]),
    "kvinnofrid": ("grovt_vald", ["kvinnofrid", "kvinnofridsarbetet"]),
    "utomhusmiljo": ("situationell_prevention", ["utomhusmiljön", "utomhusmiljöer"]),
}
PLACES = [("0180", "Stockholm"), ("1280", "Malmö"), ("1480", "Göteborg"), ("0380", "Uppsala"),
          ("1880", "Örebro"), ("0580", "Linköping")]
DOCS_PER_SUBJECT = 8
KINDS = ["forum_topic", "forum_post", "resource", "event", "experience"]

TITLES = {
    "forum_topic": ["Fråga om {x}", "Erfarenheter av {x}?", "{X} – hur gör ni?"],
    "resource": ["Metodstöd: {x}", "Rapport om {x} {year}", "Vägledning för {x}"],
    "event": ["Seminarium om {x}", "Workshop: {x}", "Nätverksträff med tema {x}"],
    "experience": ["Så arbetade vi med {x}", "Lärdomar från {x}", "{X} gav resultat"],
}
FRAMES = [
    "Vi har arbetat med {x} under hösten.",
    "{X} var huvudpunkten på dagordningen.",
    "Det finns ett stort behov av mer kunskap om {x}.",
    "Flera deltagare berättade om {x} från sina håll.",
    "Frågan om {x} kommer tillbaka varje år.",
]
FILLERS = [
    "Mötet hölls i stadshuset på tisdagen.",
    "Alla deltagare fick möjlighet att ställa frågor.",
    "Vi återkommer med mer information efter årsskiftet.",
    "Protokollet finns hos sekreteraren.",
    "Nästa träff planeras till våren.",
    "Tack till alla som bidrog med synpunkter.",
    "Materialet kan användas fritt.",
    "Det blev ett givande samtal med många perspektiv.",
]
START = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


@dataclass
class Doc:
    kind: str
    object_id: int
    subject: str
    place: str
    visibility: str
    group: str | None  # "mine" (the reader's group), "closed" (not hers) or None
    title: str
    body: str


def _visibility(i: int) -> tuple[str, str | None]:
    if i % 10 == 7:
        return "group", "closed"
    if i % 10 == 3:
        return "group", "mine"
    if i % 10 in (1, 5):
        return "members", None
    return "public", None


def _csv(form: str, rng: random.Random) -> str:
    rows = [f"Kommun;År;Antal ärenden om {form};Kommentar"]
    rows += [f"{name};{2020 + n};{rng.randint(3, 90)};\"Uppgift från enkät\"" for n, (_c, name) in
             enumerate(rng.sample(PLACES, 3))]
    return "\n".join(rows)


def documents(seed: int = 17) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    topic_titles: dict[str, str] = {}
    for s, (subject, (_theme, forms)) in enumerate(SUBJECTS.items()):
        for j in range(DOCS_PER_SUBJECT):
            i = len(docs)
            kind = KINDS[(s + j) % len(KINDS)]
            code, place = PLACES[(s + j) % len(PLACES)]
            form = forms[0] if j % 2 == 0 else rng.choice(forms)
            if kind == "forum_post" and subject in topic_titles:
                title = topic_titles[subject]  # a reply carries its topic's title
            else:
                template = rng.choice(TITLES["forum_topic" if kind == "forum_post" else kind])
                title = template.format(x=form.lower() if form[0].islower() else form,
                                        X=form[0].upper() + form[1:], year=2021 + j)
                topic_titles.setdefault(subject, title)
            sentences = [rng.choice(FRAMES).format(x=forms[0], X=forms[0][0].upper() + forms[0][1:])]
            sentences += [rng.choice(FRAMES).format(x=f, X=f[0].upper() + f[1:])
                          for f in rng.sample(forms, min(2, len(forms)))]
            sentences += rng.sample(FILLERS, 2) + [f"Arbetet gäller {place}."]
            rng.shuffle(sentences)
            body = " ".join(sentences)
            if kind == "resource":
                body += "\n" + _csv(forms[0], rng)
            visibility, group = _visibility(i)
            if kind == "experience":
                visibility, group = "public", None
            docs.append(Doc(kind, 1000 + i, subject, code, visibility, group, title, body))
    return docs


def index(docs: list[Doc], mine_id: int, closed_id: int) -> None:
    """Write the corpus through the same call every feature uses."""
    for n, doc in enumerate(docs):
        group_id = {"mine": mine_id, "closed": closed_id}.get(doc.group or "")
        fulltext.index_entry(
            doc.kind, doc.object_id, title=doc.title, body=doc.body, url=f"/eval/{doc.object_id}",
            visibility=doc.visibility, group_id=group_id, created_at=START + dt.timedelta(days=n),
            boost=doc.kind == "experience", themes=[SUBJECTS[doc.subject][0]],
            municipalities=[doc.place])


# query → (subjects whose documents are expected, optional municipality code the query names)
QUERIES: list[tuple[str, tuple[str, ...], str | None]] = [
    # compounds: a word finds the compounds it is a real part of
    ("rekrytering", ("nyrekrytering",), None),
    ("nyrekrytering", ("nyrekrytering",), None),
    ("vandring", ("trygghetsvandring", "nattvandring"), None),
    ("trygghetsvandring", ("trygghetsvandring",), None),
    ("trygghetsvandringar", ("trygghetsvandring",), None),
    ("gängkriminalitet", ("gangkriminalitet",), None),
    ("kriminalitet", ("gangkriminalitet",), None),
    ("bevakning", ("kamerabevakning",), None),
    ("kamerabevakning", ("kamerabevakning",), None),
    ("brottslighet", ("ungdomsbrottslighet",), None),
    ("ungdomsbrottslighet", ("ungdomsbrottslighet",), None),
    ("grannsamverkan", ("grannsamverkan",), None),
    ("samverkan", ("grannsamverkan",), None),
    ("stöld", ("cykelstold",), None),
    ("cykelstölder", ("cykelstold",), None),
    ("mätning", ("trygghetsmatning",), None),
    ("trygghet", ("trygghetsvandring", "trygghetsmatning"), None),
    ("förening", ("idrottsforening",), None),
    ("polis", ("kommunpolis",), None),
    ("störningar", ("ordningsstorning",), None),
    ("insatsgrupp", ("insatsgrupp",), None),
    ("stöd", ("foraldraskapsstod",), None),
    # diacritics and case
    ("lagesbild", ("lagesbild",), None),
    ("LÄGESBILD", ("lagesbild",), None),
    ("Lägesbilden", ("lagesbild",), None),
    ("foraldraskapsstod", ("foraldraskapsstod",), None),
    ("skadegorelse", ("skadegorelse",), None),
    ("gangkriminaliteten", ("gangkriminalitet",), None),
    ("fritidsgardar", ("fritidsgard",), None),
    ("medborgarlofte", ("medborgarlofte",), None),
    ("orosanmalan", ("orosanmalan",), None),
    ("NATTVANDRING", ("nattvandring",), None),
    ("Hedersförtryck", ("hedersfortryck",), None),
    ("utomhusmiljo", ("utomhusmiljo",), None),
    # one-letter typos in words of six letters or more
    ("narkotila", ("narkotika",), None),
    ("kamerabevakming", ("kamerabevakning",), None),
    ("socialtjänsen", ("socialtjanst",), None),
    ("trygghetsvandrigar", ("trygghetsvandring",), None),
    ("extremsim", ("extremism",), None),
    ("bostadsbolgaet", ("bostadsbolag",), None),
    ("kvinnofrrid", ("kvinnofrid",), None),
    ("kartläggnig", ("kartlaggning",), None),
    # inflected forms
    ("klotter", ("klotter",), None),
    ("klottret", ("klotter",), None),
    ("narkotika", ("narkotika",), None),
    ("langning", ("langning",), None),
    ("extremism", ("extremism",), None),
    ("socialtjänst", ("socialtjanst",), None),
    ("bostadsbolag", ("bostadsbolag",), None),
    ("trapphus", ("trapphus",), None),
    ("mentorskap", ("mentorskap",), None),
    ("sommarlovet", ("sommarlov",), None),
    ("brottsoffer", ("brottsoffer",), None),
    ("inbrott", ("inbrott",), None),
    ("bedrägerier", ("bedrageri",), None),
    ("kartläggning", ("kartlaggning",), None),
    ("alkohol", ("alkohol",), None),
    ("ordningsstörning", ("ordningsstorning",), None),
    ("otrygghet", ("otrygghet",), None),
    ("skolk", ("skolk",), None),
    ("drogförebyggande", ("drogforebyggande",), None),
    ("kvinnofrid", ("kvinnofrid",), None),
    ("belysning", ("belysning",), None),
    # several words, a place, stop words around
    ("klotter i Malmö", ("klotter",), "1280"),
    ("narkotika Stockholm", ("narkotika",), "0180"),
    ("nattvandring och göteborg", ("nattvandring",), "1480"),
    ("hur arbetar ni med belysning?", ("belysning",), None),
    ("Trygghetsvandringar, Uppsala!", ("trygghetsvandring",), "0380"),
]
