"""Demo content for the library, added to ``flask seed-demo`` through the accounts seed hook.

Later hooks find the public method guide on trygghetsvandringar in
``ctx.shared["resources.method_guide"]`` (the forum attaches it to a post).
"""

from __future__ import annotations

import datetime as dt
import io

from network.resources import services, totals


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with a few lines of Helvetica text (Latin-1), enough for a demo."""
    text = " ".join(
        f"BT /F1 12 Tf 72 {740 - 18 * n} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET"
        for n, line in enumerate(lines)
    ).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _upload(name: str, data: bytes) -> services.Upload:
    return services.Upload(io.BytesIO(data), name)


def seed_resources(ctx) -> None:
    users, groups, orgs, areas = ctx.users, ctx.groups, ctx.organisations, ctx.areas
    admin = users["admin"]

    def org_id(key):
        return orgs[key].id if key in orgs else None

    def area_ids(*names):
        return [areas[n].id for n in names if n in areas]

    ctx.shared["resources.method_guide"] = services.create_resource(
        admin, title="Metodstöd: trygghetsvandringar i bostadsområden", type="metodstod",
        visibility="public", themes=["trygghet_offentlig_miljo", "situationell_prevention", "samverkan"],
        organisation_id=org_id("bra"), licence="cc-by-4.0", year=2025,
        override_reason="Brås metodstöd, redan granskat i Brås egen utgivning.",
        summary="Hur kommun, polis, bostadsbolag och boende planerar, genomför och följer upp "
                "trygghetsvandringar, med checklista och mall för åtgärdslista.",
        uploads=[_upload("Trygghetsvandringar – metodstöd.pdf", tiny_pdf([
            "Trygghetsvandringar - metodstod", "1. Bjud in boende, bostadsbolag och polis.",
            "2. Ga samma runda kvall och dag.", "3. For in brister i atgardslistan.",
            "4. Folj upp efter tre manader."]))],
        change_note="Första utgåvan",
    )
    _backdate(ctx.shared["resources.method_guide"], 240)
    situation = services.create_resource(
        users["malmo_samordnare"], title="Lägesbild Rosengård, våren 2025", type="lagesbild",
        visibility="group", group_id=groups["malmo"].id, themes=["grovt_vald", "ordningsstorningar"],
        organisation_id=org_id("malmo_kommun"), municipality_codes=["1280"],
        area_ids=area_ids("Rosengård"), year=2025,
        summary="Gemensam lägesbild från kommunen och lokalpolisområdet inför samverkansmötet.",
        uploads=[_upload("lagesbild-rosengard-2025.txt",
                         "Lägesbild Rosengård våren 2025\n\nOroligt kring centrumanläggningen "
                         "kvällstid. Fler ungdomar i riskmiljöer under lovet.\n".encode())],
    )
    plan = services.create_resource(
        users["orebro_samordnare"], title="Åtgärdsplan mot nyrekrytering, Örebro", type="atgardsplan",
        visibility="members", themes=["nyrekrytering", "foraldraskapsstod"],
        organisation_id=org_id("orebro_kommun"), municipality_codes=["1880"],
        area_ids=area_ids("Vivalla"), year=2025, licence="allman-handling",
        uploads=[_upload("atgardsplan-nyrekrytering.pdf", tiny_pdf(["Atgardsplan mot nyrekrytering",
                                                                    "Version 1"]))],
        change_note="Beslutad i styrgruppen",
    )
    services.add_version(users["orebro_samordnare"], plan, [_upload(
        "atgardsplan-nyrekrytering.pdf", tiny_pdf(["Atgardsplan mot nyrekrytering", "Version 2",
                                                   "Nya insatser for foraldrar."]))],
        "Föräldrainsatser tillagda efter uppföljningen i juni")
    _backdate(situation, 150)
    _backdate(plan, 180, version_ago={2: 110})
    survey = services.create_resource(
        users["goteborg_samordnare"], title="Trygghetsmätning Göteborg 2024 (tabell)", type="rapport",
        visibility="public", themes=["uppfoljning", "trygghet_offentlig_miljo"],
        organisation_id=org_id("goteborg_kommun"), municipality_codes=["1480"],
        area_ids=area_ids("Hjällbo", "Hammarkullen"), year=2024, licence="cc-by-4.0",
        summary="Andel boende som känner sig trygga ute sent på kvällen, per område.",
        uploads=[_upload("trygghetsmatning-2024.csv",
                         "område;andel trygga;svarande\nHjällbo;0,58;412\nHammarkullen;0,61;388\n"
                         .encode())],
    )
    _backdate(survey, 2)  # still waiting for review
    film = services.create_resource(
        admin, title="Film: så arbetar sociala insatsgrupper", type="film_lank", visibility="public",
        themes=["nyrekrytering", "samverkan"], organisation_id=org_id("bra"), year=2024,
        override_reason="Länk till en film som redan är offentlig.",
        external_url="https://www.youtube.com/", summary="En kort film om arbetssättet.",
    )
    _backdate(film, 260)
    seed_more_resources(ctx)


# The rest of a library a year into the programme: guides, situation pictures, plans and
# evaluations from the participating municipalities, shared with everyone, with members or with
# one group. (author, title, type, visibility, group, themes, organisation, municipalities,
# areas, year, licence, summary, file name, file lines, working days ago)
MORE = (
    ("bra_utredare", "Checklista: lokal lägesbild enligt lag (2023:196)", "mall", "public", None,
     ["uppfoljning", "samverkan"], "bra", [], [], 2025, "cc-by-4.0",
     "Vad lägesbilden bör innehålla, vilka källor kommunen kan använda och hur polisens "
     "lägesbild vävs in. Mall att fylla i.",
     "checklista-lagesbild.pdf", ["Checklista: lokal lägesbild", "1. Syfte och avgränsning",
                                  "2. Källor: polisen, skola, socialtjänst, bostadsbolag",
                                  "3. Problembild per område", "4. Prioriteringar"], 120),
    ("malmo_social", "Metodstöd: SSPF – skola, socialtjänst, polis och fritid", "metodstod",
     "public", None, ["nyrekrytering", "samverkan", "foraldraskapsstod"], "malmo_kommun", ["1280"],
     [], 2024, "cc-by-4.0",
     "Så arbetar Malmö med SSPF kring unga i riskzon: samtycke, orosanmälan, kartläggning och "
     "individuella handlingsplaner.",
     "sspf-metodstod-malmo.pdf", ["SSPF i Malmö", "Samtycke från vårdnadshavare",
                                  "Kartläggning inom fyra veckor", "Uppföljning varje månad"], 210),
    ("orebro_samordnare", "Utvärdering: föräldraskapsstöd i Vivalla 2023–2024", "utvardering",
     "public", None, ["foraldraskapsstod", "uppfoljning"], "orebro_kommun", ["1880"], ["Vivalla"],
     2024, "cc-by-4.0",
     "Extern utvärdering av föräldraträffarna: deltagande, vad föräldrarna tyckte och vad "
     "kommunen ändrar till nästa omgång.",
     "utvardering-foraldraskapsstod-vivalla.pdf", ["Utvärdering föräldraskapsstöd",
                                                   "148 föräldrar deltog", "82 % skulle rekommendera",
                                                   "Fler träffar på arabiska och somaliska"], 160),
    ("civil", "Rapport: avhopparverksamhet – erfarenheter från tre kommuner", "rapport", "public",
     None, ["nyrekrytering", "grovt_vald"], "civil", [], [], 2025, "cc-by-sa-4.0",
     "Vad som fick unga att lämna kriminella nätverk, och vad som behövs av kommun, polis och "
     "civilsamhälle för att stödet ska hålla.",
     "avhopparverksamhet-erfarenheter.txt", ["Avhopparverksamhet – erfarenheter",
                                             "Förtroende tar tid: räkna med månader.",
                                             "Boende och sysselsättning avgör."], 75),
    ("malmo_samordnare", "Åtgärdsplan 2025–2027, Malmö stad", "atgardsplan", "members", None,
     ["grovt_vald", "nyrekrytering", "trygghet_offentlig_miljo"], "malmo_kommun", ["1280"],
     ["Rosengård"], 2025, "allman-handling",
     "Beslutad av kommunstyrelsen i april. Fyra mål, sexton åtgärder med ansvarig förvaltning "
     "och indikatorer för uppföljning.",
     "atgardsplan-malmo-2025-2027.pdf", ["Åtgärdsplan 2025-2027", "Mål 1: färre unga rekryteras",
                                         "Mål 2: tryggare offentlig miljö"], 140),
    ("goteborg_polis", "Lägesbild Hjällbo och Hammarkullen, hösten 2025", "lagesbild", "group",
     "goteborg", ["grovt_vald", "ordningsstorningar"], "polis_goteborg", ["1480"],
     ["Hjällbo", "Hammarkullen"], 2025, "alla-rattigheter",
     "Polisens och kommunens gemensamma bild inför höstens samverkansmöte; endast för gruppen.",
     "lagesbild-nordost-hosten-2025.txt", ["Lägesbild Nordost hösten 2025",
                                           "Lugnare kring torget efter kamerabevakningen.",
                                           "Fler rapporter om unga som rekryteras via sociala medier."], 30),
    ("bostad", "Presentation: centrumägare och bostadsbolag mot ordningsstörningar", "presentation",
     "members", None, ["ordningsstorningar", "situationell_prevention"], "bostad", ["1280"], [],
     2025, "alla-rattigheter",
     "Bilderna från nätverksträffen: belysning, ordningsvakter, öppettider och vad ett "
     "gemensamt trygghetsråd har gett.",
     "presentation-centrumagare.pdf", ["Centrumägare och bostadsbolag", "Belysning och gestaltning",
                                       "Trygghetsråd varannan vecka"], 45),
    ("borlange_samordnare", "Utvärdering av nattvandringen i Tjärna Ängar 2024", "utvardering",
     "members", None, ["trygghet_offentlig_miljo", "uppfoljning"], "borlange_kommun", ["2081"],
     ["Tjärna Ängar"], 2024, "alla-rattigheter",
     "Antal kvällar, vuxna som deltog och vad ungdomar och boende säger om tryggheten.",
     "utvardering-nattvandring-2024.pdf", ["Nattvandring Tjärna Ängar 2024", "92 kvällar",
                                           "Tryggheten ökade enligt enkäten"], 95),
    ("uppsala_samordnare", "Lägesbild Gottsunda/Valsätra 2025", "lagesbild", "members", None,
     ["ordningsstorningar", "grovt_vald"], "uppsala_kommun", ["0380"], ["Gottsunda/Valsätra"], 2025,
     "allman-handling",
     "Kommunens lägesbild för området, med polisens bedömning och boendes röster från "
     "trygghetsvandringen i maj.",
     "lagesbild-gottsunda-2025.pdf", ["Lägesbild Gottsunda/Valsätra 2025",
                                      "Från särskilt utsatt till riskområde"], 60),
    ("lst_skane", "Länsstyrelsens regionala lägesbild Skåne 2025", "rapport", "public", None,
     ["uppfoljning", "samverkan"], "lst_skane", ["1280"], [], 2025, "cc-by-4.0",
     "Sammanställning av kommunernas lägesbilder i Skåne: gemensamma mönster och "
     "länsstyrelsens stöd det kommande året.",
     "regional-lagesbild-skane-2025.pdf", ["Regional lägesbild Skåne 2025",
                                           "33 kommuner har lämnat lägesbild"], 20),
)


def _working_days_ago(count: int) -> dt.datetime:
    """A weekday ``count`` working days back, mid-morning Swedish time (stored in UTC)."""
    day = dt.date.today()
    while count:
        day -= dt.timedelta(days=1)
        count -= day.weekday() < 5
    return dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=dt.UTC)


def _backdate(resource, ago: int, *, version_ago: dict[int, int] | None = None) -> None:
    """Date ``resource`` (and its versions) ``ago`` working days back, and index that date."""
    moment = _working_days_ago(ago)
    totals.uncount_shared(resource)  # counted on the day it was created: move it to its date
    resource.created_at = moment
    totals.count_shared(resource)
    for version in resource.versions:
        version.created_at = _working_days_ago((version_ago or {}).get(version.number, ago))
    if resource.published_at is not None:
        resource.published_at = moment + dt.timedelta(hours=3)  # reviewed the same day
    services.reindex(resource)


def seed_more_resources(ctx) -> None:
    users, groups, orgs, areas = ctx.users, ctx.groups, ctx.organisations, ctx.areas
    for (author, title, type_, visibility, group, themes, org, codes, area_names, year, licence,
         summary, filename, lines, ago) in MORE:
        data = ("\n".join(lines) + "\n").encode() if filename.endswith(".txt") else tiny_pdf(lines)
        resource = services.create_resource(
            users[author], title=title, type=type_, visibility=visibility, summary=summary,
            group_id=groups[group].id if group else None, themes=themes,
            organisation_id=orgs[org].id, municipality_codes=codes,
            area_ids=[areas[name].id for name in area_names if name in areas], year=year, licence=licence,
            uploads=[_upload(filename, data)], change_note="Första utgåvan")
        if visibility == "public":  # reviewed and published by the network's coordinator
            services.approve(users["admin"], resource)
        _backdate(resource, ago)
