"""Demo content for the library, added to ``flask seed-demo`` through the accounts seed hook.

Later hooks find the public method guide on trygghetsvandringar in
``ctx.shared["resources.method_guide"]`` (the forum attaches it to a post).
"""

from __future__ import annotations

import io

from network.resources import services


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
    services.create_resource(
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
    services.create_resource(
        users["goteborg_samordnare"], title="Trygghetsmätning Göteborg 2024 (tabell)", type="rapport",
        visibility="public", themes=["uppfoljning", "trygghet_offentlig_miljo"],
        organisation_id=org_id("goteborg_kommun"), municipality_codes=["1480"],
        area_ids=area_ids("Hjällbo", "Hammarkullen"), year=2024, licence="cc-by-4.0",
        summary="Andel boende som känner sig trygga ute sent på kvällen, per område.",
        uploads=[_upload("trygghetsmatning-2024.csv",
                         "område;andel trygga;svarande\nHjällbo;0,58;412\nHammarkullen;0,61;388\n"
                         .encode())],
    )
    services.create_resource(
        admin, title="Film: så arbetar sociala insatsgrupper", type="film_lank", visibility="public",
        themes=["nyrekrytering", "samverkan"], organisation_id=org_id("bra"), year=2024,
        override_reason="Länk till en film som redan är offentlig.",
        external_url="https://www.youtube.com/", summary="En kort film om arbetssättet.",
    )
