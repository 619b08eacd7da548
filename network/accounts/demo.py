"""Demo data: ``flask --app network seed-demo`` builds a realistic network to try things in.

Later features add their own demo content with a hook registered in their ``init_app``::

    from network.accounts.demo import register_seed

    def seed_forums(ctx):
        author = ctx.users["malmo_samordnare"]
        group = ctx.groups["grovt_vald"]
        ...  # create content through your services; ctx.session to flush

    register_seed(app, seed_forums)

``ctx`` (a ``SeedContext``) gives what the accounts seed created, by key:
  - ``ctx.users``: ``"admin"`` (Brå's coordinator) and e.g. ``"malmo_samordnare"``,
    ``"malmo_polis"``, ``"goteborg_samordnare"``, ``"orebro_samordnare"``,
    ``"uppsala_samordnare"``, ``"borlange_samordnare"``, ``"lst_skane"``, ``"bostad"``,
    ``"civil"`` (see ``USERS`` below for all twenty);
  - ``ctx.groups``: local groups ``"malmo"``, ``"goteborg"``, ``"orebro"``, ``"uppsala"``,
    ``"borlange"`` and thematic networks ``"nyrekrytering"``, ``"grovt_vald"``,
    ``"ordningsstorningar"``, ``"uppfoljning"``;
  - ``ctx.municipalities``: by code (``"1280"`` Malmö, ``"1480"`` Göteborg, ``"1880"`` Örebro,
    ``"0380"`` Uppsala, ``"2081"`` Borlänge);
  - ``ctx.organisations``: by key (``"bra"``, ``"malmo_kommun"``, ``"polis_malmo"``...);
  - ``ctx.areas``: by name (``"Rosengård"``, ``"Vivalla"``...);
  - ``ctx.session``: the database session; ``ctx.now``: the seed's timestamp;
  - ``ctx.shared``: what one feature's hook leaves for a later one, under "<feature>.<name>"
    (e.g. events leaves ``"events.workshop"``, which the chat gives a room).
Hooks run in registration order (the features' layering order), after the accounts data,
inside the same transaction.

The classifications follow the Police's public lägesbilder (2021, 2023, 2025) as closely as
demo data needs; check polisen.se before quoting them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from network.accounts import services
from network.accounts.models import (
    Area,
    ClassificationLevel,
    Group,
    GroupKind,
    GroupRole,
    GroupVisibility,
    Municipality,
    NetworkRole,
    Organisation,
    OrganisationType,
    User,
    UserExpertise,
)
from network.db import utcnow
from network.extensions import db

SeedHook = Callable[["SeedContext"], None]


@dataclass
class SeedContext:
    session: Any
    now: dt.datetime
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)


def register_seed(app: Flask, fn: SeedHook) -> None:
    """Add a feature's demo content to ``seed-demo``; ``fn(ctx)`` runs after the accounts seed."""
    app.extensions.setdefault("network_seeds", []).append(fn)


SU, RISK, UTSATT, NONE = (ClassificationLevel.SARSKILT_UTSATT, ClassificationLevel.RISK,
                          ClassificationLevel.UTSATT, ClassificationLevel.NONE)

# code: (joined the programme, {area: (description, {year: level})})
MUNICIPALITIES: dict[str, tuple[dt.date, dict[str, tuple[str, dict[int, ClassificationLevel]]]]] = {
    "1280": (dt.date(2024, 3, 1), {
        "Rosengård": ("Stadsområde öster om centrala Malmö, med Herrgården och Törnrosen.",
                      {2021: SU, 2023: SU, 2025: SU}),
        "Södra Sofielund": ("Seved och kvarteren runt Rasmusgatan.", {2021: RISK, 2023: UTSATT, 2025: NONE}),
        "Holma/Kroksbäck": ("Bostadsområden i Hyllie stadsområde.",
                            {2021: UTSATT, 2023: UTSATT, 2025: UTSATT}),
    }),
    "1480": (dt.date(2024, 3, 1), {
        "Hjällbo": ("Nordöstra Göteborg.", {2021: SU, 2023: SU, 2025: SU}),
        "Hammarkullen": ("Nordöstra Göteborg.", {2021: SU, 2023: SU, 2025: SU}),
        "Biskopsgården": ("Hisingen.", {2021: SU, 2023: RISK, 2025: RISK}),
        "Tynnered/Grevegården/Opaltorget": ("Västra Göteborg.", {2021: RISK, 2023: RISK, 2025: RISK}),
    }),
    "1880": (dt.date(2024, 9, 1), {
        "Vivalla": ("Nordvästra Örebro.", {2021: SU, 2023: SU, 2025: SU}),
        "Oxhagen/Varberga": ("Östra Örebro.", {2021: UTSATT, 2023: UTSATT, 2025: UTSATT}),
    }),
    "0380": (dt.date(2024, 9, 1), {
        "Gottsunda/Valsätra": ("Södra Uppsala.", {2021: SU, 2023: SU, 2025: RISK}),
    }),
    "2081": (dt.date(2025, 2, 1), {
        "Tjärna Ängar": ("Bostadsområde söder om Borlänge centrum.", {2021: SU, 2023: RISK, 2025: RISK}),
    }),
}

# key: (name, type, municipality code or None, county code or None)
ORGANISATIONS = {
    "bra": ("Brottsförebyggande rådet (Brå)", OrganisationType.MYNDIGHET, None, "01"),
    "lst_skane": ("Länsstyrelsen Skåne", OrganisationType.LANSSTYRELSE, None, "12"),
    "lst_vg": ("Länsstyrelsen Västra Götaland", OrganisationType.LANSSTYRELSE, None, "14"),
    "malmo_kommun": ("Malmö stad", OrganisationType.KOMMUN, "1280", None),
    "goteborg_kommun": ("Göteborgs Stad", OrganisationType.KOMMUN, "1480", None),
    "orebro_kommun": ("Örebro kommun", OrganisationType.KOMMUN, "1880", None),
    "uppsala_kommun": ("Uppsala kommun", OrganisationType.KOMMUN, "0380", None),
    "borlange_kommun": ("Borlänge kommun", OrganisationType.KOMMUN, "2081", None),
    "polis_malmo": ("Polisen, lokalpolisområde Malmö Öster", OrganisationType.POLIS, "1280", None),
    "polis_goteborg": ("Polisen, lokalpolisområde Göteborg Nordost", OrganisationType.POLIS, "1480", None),
    "polis_orebro": ("Polisen, lokalpolisområde Örebro", OrganisationType.POLIS, "1880", None),
    "polis_uppsala": ("Polisen, lokalpolisområde Uppsala", OrganisationType.POLIS, "0380", None),
    "polis_borlange": ("Polisen, lokalpolisområde Borlänge", OrganisationType.POLIS, "2081", None),
    "bostad": ("MKB Fastighets AB", OrganisationType.BOSTADSBOLAG, "1280", None),
    "civil": ("Fryshuset", OrganisationType.CIVILSAMHALLE, "0180", None),
}

LOCAL_GROUPS = {
    "malmo": ("Samverkansgrupp Malmö", "1280", GroupVisibility.CLOSED),
    "goteborg": ("Samverkansgrupp Göteborg", "1480", GroupVisibility.CLOSED),
    "orebro": ("Samverkansgrupp Örebro", "1880", GroupVisibility.MEMBERS),
    "uppsala": ("Samverkansgrupp Uppsala", "0380", GroupVisibility.MEMBERS),
    "borlange": ("Samverkansgrupp Borlänge", "2081", GroupVisibility.CLOSED),
}
THEMATIC_GROUPS = {
    "nyrekrytering": ("Nyrekrytering till kriminella nätverk", GroupVisibility.MEMBERS,
                      "Hur kommuner, skola, socialtjänst och polis tillsammans förebygger att barn "
                      "och unga rekryteras till kriminella nätverk."),
    "grovt_vald": ("Grovt våld", GroupVisibility.MEMBERS,
                   "Erfarenheter av att förebygga och hantera skjutningar, sprängningar och annat "
                   "grovt våld i och runt utsatta områden."),
    "ordningsstorningar": ("Ordningsstörningar i offentlig miljö", GroupVisibility.PUBLIC,
                           "Trygghet i centrummiljöer, på torg och i kollektivtrafik: metoder, "
                           "trygghetsvandringar och samverkan med fastighetsägare."),
    "uppfoljning": ("Uppföljning och utvärdering", GroupVisibility.MEMBERS,
                    "Lägesbilder, indikatorer och utvärdering av åtgärder enligt lagen om "
                    "kommuners ansvar för brottsförebyggande arbete."),
}

# key: (name, title, organisation, email, {group: role}, admin)
F, M = GroupRole.FACILITATOR, GroupRole.MEMBER
USERS = {
    "admin": ("Karin Lindqvist", "Nationell samordnare", "bra", "karin.lindqvist@bra.example.se",
              {"uppfoljning": F, "grovt_vald": F}, True),
    "bra_utredare": ("Johan Ekström", "Utredare", "bra", "johan.ekstrom@bra.example.se",
                     {"uppfoljning": M, "nyrekrytering": F}, False),
    "malmo_samordnare": ("Amira Hassan", "Samordnare brottsförebyggande arbete", "malmo_kommun",
                         "amira.hassan@malmo.example.se", {"malmo": F, "nyrekrytering": M}, False),
    "malmo_social": ("Per Nilsson", "Enhetschef, socialtjänsten", "malmo_kommun",
                     "per.nilsson@malmo.example.se", {"malmo": M, "nyrekrytering": M}, False),
    "malmo_polis": ("Sara Johansson", "Kommunpolis", "polis_malmo", "sara.johansson@polisen.example.se",
                    {"malmo": M, "grovt_vald": M}, False),
    "bostad": ("Mikael Persson", "Trygghetsansvarig", "bostad", "mikael.persson@mkb.example.se",
               {"malmo": M, "ordningsstorningar": F}, False),
    "lst_skane": ("Eva Andersson", "Regional samordnare brottsförebyggande arbete", "lst_skane",
                  "eva.andersson@lansstyrelsen.example.se", {"malmo": M, "uppfoljning": M}, False),
    "goteborg_samordnare": ("Lars Karlsson", "Trygghetssamordnare", "goteborg_kommun",
                            "lars.karlsson@goteborg.example.se", {"goteborg": F, "grovt_vald": M}, False),
    "goteborg_polis": ("Fatima Ali", "Kommunpolis", "polis_goteborg", "fatima.ali@polisen.example.se",
                       {"goteborg": M, "grovt_vald": M}, False),
    "lst_vg": ("Anders Berg", "Utvecklingsledare", "lst_vg", "anders.berg@lansstyrelsen.example.se",
               {"goteborg": M, "uppfoljning": M}, False),
    "goteborg_skola": ("Maria Svensson", "Rektor", "goteborg_kommun",
                       "maria.svensson@goteborg.example.se", {"goteborg": M, "nyrekrytering": M}, False),
    "orebro_samordnare": ("Erik Lundberg", "Brottsförebyggande samordnare", "orebro_kommun",
                          "erik.lundberg@orebro.example.se", {"orebro": F, "uppfoljning": M}, False),
    "orebro_polis": ("Hanna Björk", "Kommunpolis", "polis_orebro", "hanna.bjork@polisen.example.se",
                     {"orebro": M}, False),
    "orebro_fritid": ("Ahmed Yusuf", "Fritidsledare", "orebro_kommun", "ahmed.yusuf@orebro.example.se",
                      {"orebro": M, "nyrekrytering": M}, False),
    "uppsala_samordnare": ("Sofia Holm", "Samordnare trygghet och säkerhet", "uppsala_kommun",
                           "sofia.holm@uppsala.example.se", {"uppsala": F, "ordningsstorningar": M}, False),
    "uppsala_polis": ("Jonas Wikström", "Kommunpolis", "polis_uppsala", "jonas.wikstrom@polisen.example.se",
                      {"uppsala": M}, False),
    "borlange_samordnare": ("Linnea Dahl", "Folkhälso- och trygghetsstrateg", "borlange_kommun",
                            "linnea.dahl@borlange.example.se", {"borlange": F, "uppfoljning": M}, False),
    "borlange_polis": ("Mattias Olsson", "Kommunpolis", "polis_borlange",
                       "mattias.olsson@polisen.example.se", {"borlange": M, "ordningsstorningar": M}, False),
    "civil": ("Yasmin Omar", "Verksamhetsledare", "civil", "yasmin.omar@fryshuset.example.se",
              {"nyrekrytering": M, "grovt_vald": M}, False),
    "centrum": ("Oskar Lind", "Centrumchef", "bostad", "oskar.lind@mkb.example.se",
                {"ordningsstorningar": M}, False),
}

# Experts on the library's themes (the programme marks them; questions on a theme reach them).
EXPERTS = {
    "bra_utredare": ("uppfoljning", "nyrekrytering"),
    "lst_skane": ("uppfoljning", "samverkan"),
    "malmo_polis": ("grovt_vald",),
    "bostad": ("trygghet_offentlig_miljo", "situationell_prevention"),
}


def database_has_users() -> bool:
    from sqlalchemy import func, select

    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo() -> SeedContext:
    """Create the demo network and run every registered hook; the caller commits."""
    ctx = SeedContext(session=db.session, now=utcnow())
    for code, (since, areas) in MUNICIPALITIES.items():
        municipality = db.session.get(Municipality, code)
        services.set_participating(None, municipality, since)
        ctx.municipalities[code] = municipality
        for name, (description, history) in areas.items():
            area = services.create_area(None, code, name, description)
            for year, level in history.items():
                services.classify_area(None, area, year, level)
            ctx.areas[name] = area
    for key, (name, type_, municipality_code, county_code) in ORGANISATIONS.items():
        ctx.organisations[key] = services.create_organisation(
            None, name, type_, municipality_code=municipality_code, county_code=county_code)
    for key, (name, code, visibility) in LOCAL_GROUPS.items():
        description = (f"Lokal samverkan mellan kommun, polis, bostadsbolag och civilsamhälle i "
                       f"{ctx.municipalities[code].name}.")
        ctx.groups[key] = services.create_group(None, name, GroupKind.LOCAL, visibility=visibility,
                                                description=description, municipality_code=code)
    for key, (name, visibility, description) in THEMATIC_GROUPS.items():
        ctx.groups[key] = services.create_group(None, name, GroupKind.THEMATIC,
                                                visibility=visibility, description=description)
    for key, (name, title, org_key, email, groups, admin) in USERS.items():
        password = secrets.token_urlsafe(9)
        user = services.create_user(email, password, name, title=title,
                                    organisation=ctx.organisations[org_key],
                                    role=NetworkRole.ADMIN if admin else NetworkRole.MEMBER)
        for group_key, role in groups.items():
            services.add_member(None, ctx.groups[group_key], user, role)
        ctx.users[key] = user
        ctx.passwords[email] = password
        user.expertise = [UserExpertise(theme=theme) for theme in EXPERTS.get(key, ())]
    db.session.flush()
    for hook in current_app.extensions.get("network_seeds", []):
        hook(ctx)
    db.session.flush()
    return ctx
