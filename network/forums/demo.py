"""Demo forum for ``flask seed-demo``, registered with the accounts seed hook.

Everything goes through the forum services, so counters, the search index, read state, watches
and notifications (mentions, replies, new topics in watched categories) are what real use gives.
The services stamp posts with the current time, so all demo posts are dated at the seed's run:
the order of the lists below is the order of activity.

What the demo shows: network-wide categories with a pinned welcome topic; an ask-the-expert
(rådgivning) category in the thematic group "Uppföljning och utvärdering", where Brå's
facilitator's answer is marked on one question and another is still open; a thematic category
on recruitment into criminal networks; a public one on trygghetsvandringar whose reply carries
the library's method guide (``ctx.shared["resources.method_guide"]``); and the closed Malmö
group's own category, where a mention reaches the community police officer. The people and
places are the accounts seed's invented ones; no post names an individual resident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from network.db import utcnow
from network.forums import services
from network.forums.models import Category, Post, Topic
from network.totals import STOCKHOLM


@dataclass(frozen=True)
class Reply:
    author: str
    body: str
    quote: int | None = None  # an earlier post of the topic (0: the opening post), first paragraph
    attach: str | None = None  # the ctx.shared key of a library resource to attach


@dataclass(frozen=True)
class DemoTopic:
    category: str
    author: str
    title: str
    body: str
    replies: tuple[Reply, ...]
    answer: int | None = None  # the reply the asker marks as the answer
    pinned: bool = False


# key: (group key or None for the whole network, creator, name, description, question-and-answer)
CATEGORIES: dict[str, tuple[str | None, str, str, str, bool]] = {
    "allmant": (None, "admin", "Allmänt",
                "Presentationer, nyheter från nätverket och frågor som inte passar någon "
                "annanstans.", False),
    "lagesbild": (None, "admin", "Lägesbild och åtgärdsplan",
                  "Datakällor, analys och hur lägesbilden blir en åtgärdsplan enligt lagen om "
                  "kommuners ansvar för brottsförebyggande arbete (2023:196).", False),
    "radgivning": ("uppfoljning", "admin", "Rådgivning: lägesbild och uppföljning",
                   "Fråga Brå och länsstyrelserna om lägesbild, åtgärdsplan, indikatorer och "
                   "utvärdering. Den som frågar markerar svaret som löste frågan.", True),
    "nyrekrytering": ("nyrekrytering", "bra_utredare", "Skola, socialtjänst, polis och fritid",
                      "Samverkan kring barn och unga som riskerar att rekryteras till kriminella "
                      "nätverk: SSPF, tidiga signaler, samtycke och sekretess.", False),
    "trygghet": ("ordningsstorningar", "bostad", "Trygghetsvandringar och centrummiljöer",
                 "Planering, genomförande och uppföljning av trygghetsvandringar, och trygghet "
                 "runt torg och centrumanläggningar.", False),
    "malmo": ("malmo", "malmo_samordnare", "Samverkansgruppen: lägesbild och insatser",
              "Gruppens egen kategori, som bara medlemmarna i Samverkansgrupp Malmö ser.", False),
}

# Questions here reach the experts on the theme (accounts' demo marks some).
CATEGORY_THEMES = {"radgivning": "uppfoljning"}

CATEGORY_WATCHES = (("lst_skane", "allmant"), ("bra_utredare", "radgivning"),
                    ("lst_vg", "radgivning"), ("malmo_social", "malmo"))

TOPICS: tuple[DemoTopic, ...] = (
    DemoTopic(
        "allmant", "admin", "Välkommen till forumet – läs det här först",
        "Här delar vi frågor och erfarenheter från det brottsförebyggande arbetet i kommunerna. "
        "Några saker att tänka på:\n\n"
        "- **Inga personuppgifter.** Skriv aldrig namn på misstänkta, brottsutsatta eller "
        "anhöriga, och inga adresser. Beskriv händelser i allmänna termer.\n"
        "- **Frågor till experterna** ställer du under *Rådgivning* i gruppen Uppföljning och "
        "utvärdering. Där markeras det svar som löste frågan.\n"
        "- **Lokala frågor** tar ni i er samverkansgrupps egen kategori. Den syns bara för "
        "gruppens medlemmar.\n"
        "- Skriv `@förnamn.efternamn` för att nämna någon som kan se ämnet.\n\n"
        "Flagga gärna inlägg som inte hör hemma här, så tittar en moderator på dem.",
        (Reply("orebro_samordnare",
               "Tack! Bra att lokala frågor kan stanna i samverkansgruppen. Då vågar polisen och "
               "socialtjänsten skriva mer konkret."),
         Reply("lst_skane",
               "Länsstyrelserna följer också forumet. Hör av er här om ni vill ha regionalt stöd "
               "med lägesbild eller åtgärdsplan, så kopplar vi ihop er med kommuner i samma "
               "län som har gjort liknande arbete.")),
        pinned=True),
    DemoTopic(
        "allmant", "borlange_samordnare", "Hur har ni placerat samordningsfunktionen?",
        "Vi i Borlänge ska se över hur samordningsfunktionen enligt lagen om kommuners ansvar "
        "för brottsförebyggande arbete är organiserad. I dag ligger den på "
        "kommunledningskontoret, men det mesta av arbetet görs i förvaltningarna och det är svårt "
        "att få mandat att driva frågor tvärs över dem.\n\n"
        "Hur har ni gjort? Ligger funktionen centralt eller i en förvaltning, och hur har ni fått "
        "förvaltningscheferna att prioritera åtgärdsplanen?",
        (Reply("orebro_samordnare",
               "Hos oss ligger funktionen på kommunledningsförvaltningen, direkt under "
               "kommundirektören. Det som gjorde skillnad var att varje förvaltning fick en "
               "kontaktperson med avsatt tid i tjänsten.\n\n"
               "Åtgärdsplanen har dessutom en rad per förvaltning med ansvarig funktion (inte "
               "person), och den raden följs upp i förvaltningens vanliga "
               "verksamhetsuppföljning. Då blir det inte ett sidospår."),
         Reply("malmo_samordnare",
               "Samma erfarenhet i Malmö. Vi har också en styrgrupp med förvaltningscheferna och "
               "lokalpolisområdets chef som träffas fyra gånger om året. Där beslutas "
               "prioriteringarna, och jag förbereder underlaget utifrån lägesbilden.", quote=1),
         Reply("lst_skane",
               "Från länsstyrelsens håll ser vi att det fungerar bäst där samordnaren har ett "
               "skriftligt uppdrag från kommunstyrelsen. Vi sammanställer hur kommunerna i länet "
               "har organiserat sig och lägger upp det i biblioteket när det är klart."),
         Reply("borlange_samordnare",
               "Tack, det här hjälper! Idén med en rad per förvaltning i åtgärdsplanen tar jag "
               "med till nästa ledningsgrupp."))),
    DemoTopic(
        "lagesbild", "uppsala_samordnare", "Vilka datakällor använder ni i lägesbilden?",
        "Vi ska ta fram nästa lägesbild för Uppsala. Lagen kräver en kartläggning av "
        "brottsligheten, dess omfattning och konsekvenser, annan information av betydelse och en "
        "analys (4 §). Vi har polisens anmälningsstatistik och vår egen trygghetsmätning, men "
        "mycket av det som oroar oss syns inte där.\n\n"
        "Vilka andra källor har ni fått att fungera? Jag tänker på skola, socialtjänst, "
        "räddningstjänst, bostadsbolag och kollektivtrafik.",
        (Reply("uppsala_polis",
               "Från lokalpolisområdet kan vi bidra med mer än anmälningsstatistiken: vår lokala "
               "lägesbild, iakttagelser från områdespoliserna och underrättelser på aggregerad "
               "nivå. Det viktiga är att vi går igenom materialet tillsammans så att analysen "
               "blir gemensam. Ska vi boka ett arbetsmöte i början av nästa månad?"),
         Reply("goteborg_samordnare",
               "Vi använder fastighetsägarnas rapporter om skadegörelse och klotter, "
               "räddningstjänstens statistik över anlagda bränder, skolfrånvaro per område och "
               "kollektivtrafikens störningsrapporter. Vår trygghetsmätning för 2024 finns i "
               "biblioteket om ni vill jämföra upplägget."),
         Reply("lst_vg",
               "Ett tips: skriv för varje källa vad den visar och vad den inte visar. "
               "Anmälningsstatistiken speglar också hur benägna människor är att anmäla, inte "
               "bara brottsligheten. Det gör analysen ärligare och lättare att följa upp."),
         Reply("uppsala_samordnare", "Tack alla! Jonas, jag skickar en kallelse till arbetsmötet."))),
    DemoTopic(
        "radgivning", "orebro_samordnare", "Hur långt ska analysen i lägesbilden gå?",
        "Vår första lägesbild enligt lagen blev en lång beskrivning av statistik men tunn på "
        "analys, och politikerna frågar nu vad den egentligen säger. Räcker det att beskriva "
        "utvecklingen, eller ska vi resonera om orsaker och om vilka åtgärder som kan fungera?",
        (Reply("lst_vg",
               "Vi ser samma sak i flera kommuner. Ett sätt är att välja ut tre eller fyra "
               "problem och fördjupa analysen av dem, i stället för att försöka täcka allt."),
         Reply("admin",
               "Analysen ska hjälpa er att ta ställning till vilka åtgärder som behövs, så den "
               "behöver gå längre än att beskriva siffrorna. Ett upplägg som brukar fungera, per "
               "problem:\n\n"
               "1. **Vad** är problemet, och var och när uppstår det?\n"
               "2. **Varför**: vilka förklaringar finns, och vad vet ni om risk- och "
               "skyddsfaktorer lokalt?\n"
               "3. **Vem** kan påverka det, och vilka insatser pågår redan?\n"
               "4. **Vad fungerar**: vad säger kunskapsläget om åtgärder mot just detta?\n\n"
               "Skriv också ut osäkerheterna. Det är bättre att säga att en källa saknas än att "
               "låta ett problem se litet ut. Då ser politiken vad åtgärdsplanen bygger på."),
         Reply("orebro_samordnare",
               "Tack Karin, det var precis vad vi behövde. Vi gör om upplägget till nästa "
               "revidering och börjar med ordningsstörningarna vid centrum.")),
        answer=1),
    DemoTopic(
        "radgivning", "borlange_samordnare", "Hur följer vi upp insatser som ger effekt först efter "
        "flera år?",
        "I åtgärdsplanen har vi föräldraskapsstöd och insatser i förskolan, där effekten på "
        "brottsligheten rimligen syns först om många år. Kommunstyrelsen vill ändå ha en årlig "
        "uppföljning. Vilka indikatorer på kort sikt har ni använt som visar att en insats är på "
        "rätt väg?",
        (Reply("orebro_samordnare",
               "Bra fråga, vi brottas med samma sak. Hittills har vi följt upp genomförandet: "
               "hur många föräldrar som deltog och hur många som fullföljde. Men det säger inget "
               "om effekt."),
         Reply("bra_utredare",
               "Vi tar upp frågan på nästa nätverksträff. Ett första steg kan vara att skriva ner "
               "insatsens förändringsteori, alltså vilka förändringar på kort sikt som ska leda "
               "till de långsiktiga, och välja indikatorer utifrån den. Jag återkommer med "
               "exempel."))),
    DemoTopic(
        "nyrekrytering", "goteborg_skola", "SSPF: hur delar ni information utan att bryta "
        "sekretessen?",
        "Vi ska starta SSPF (skola, socialtjänst, polis och fritid) i Hjällbo och Hammarkullen. "
        "Från skolans håll är osäkerheten störst kring vad vi får berätta om en enskild elev. "
        "Hur har ni löst samtycket från vårdnadshavarna, och vad gör ni när samtycke saknas?",
        (Reply("malmo_social",
               "Hos oss bygger arbetet kring enskilda ungdomar på samtycke från den unga och "
               "vårdnadshavarna. Vi har en blankett som förklarar vem som får veta vad, och den "
               "gås igenom på ett möte i stället för att skickas hem.\n\n"
               "Utan samtycke pratar vi bara på gruppnivå. Finns det oro för en enskild gör "
               "skolan en orosanmälan till socialtjänsten som vanligt."),
         Reply("civil",
               "Från civilsamhällets sida: föreningar har inte samma regler för sekretess som "
               "kommunen. Vi är gärna med i det förebyggande arbetet på gruppnivå, men vill inte "
               "få uppgifter om enskilda som vi inte kan hantera."),
         Reply("orebro_fritid",
               "I Örebro är fritid med på de gemensamma mötena om läget i området men inte i "
               "ärendena om enskilda. Då vet vi var vi behöver finnas på kvällarna utan att "
               "behöva veta vem det gäller."),
         Reply("bra_utredare",
               "Bra tråd! Vi samlar frågorna om samtycke och sekretess inför nästa workshop om "
               "tidiga signaler. Minnesanteckningarna från den förra finns i biblioteket."))),
    DemoTopic(
        "trygghet", "uppsala_samordnare", "Trygghetsvandring i Gottsunda: hur når ni fler boende?",
        "Vi planerar en trygghetsvandring i Gottsunda centrum i november, när det mörknar tidigt. "
        "Förra gången kom mest de som redan är engagerade. Hur når ni unga, äldre och boende som "
        "inte pratar svenska? Och hur följer ni upp bristerna så att de boende ser att något "
        "händer?",
        (Reply("bostad",
               "Vi går samma runda både dag och kväll och bjuder in på flera språk via "
               "trapphusen, skolan och föreningarna. Det viktigaste är återkopplingen: efter tre "
               "månader sätter vi upp en lapp i entréerna om vad som är åtgärdat. Brås "
               "metodstöd, med mall för åtgärdslistan, bifogar jag här.",
               attach="resources.method_guide"),
         Reply("borlange_polis",
               "Polisen är gärna med, men boka in oss tidigt. Vi kan ta med statistik över "
               "anmälningar och larm i området, så att rundan går där problemen finns och inte "
               "bara där det känns otryggt. Båda delarna behövs."),
         Reply("centrum",
               "Vi har haft ungdomar från fritidsgården som guider. Det gav andra platser på "
               "listan än vi vuxna hade tänkt på, till exempel gångtunneln och baksidan av "
               "centrumet."),
         Reply("uppsala_samordnare",
               "Tack! Ungdomar som guider provar vi, och metodstödet tar jag med till "
               "planeringsmötet."))),
    DemoTopic(
        "malmo", "malmo_samordnare", "Stökiga kvällar runt centrumanläggningen i Rosengård",
        "Inför tisdagens samverkansmöte: flera verksamheter har hört av sig om stökiga kvällar "
        "runt centrumanläggningen de senaste veckorna, med grupper av ungdomar, bränder i "
        "papperskorgar och hot mot butikspersonal. Skriv gärna vad ni ser från era håll, så "
        "sammanfattar jag en gemensam lägesbild enligt EST-modellen.\n\n"
        "@sara.johansson, har ni något från polisens sida?",
        (Reply("malmo_polis",
               "Vi ser fler ordningsstörningar och mer skadegörelse fredag och lördag mellan 20 "
               "och 23, men inget som tyder på koppling till den grova brottsligheten i området. "
               "Vi förstärker med områdespoliser de helgerna och tar med en mer detaljerad bild "
               "till mötet."),
         Reply("bostad",
               "Vi har haft två anlagda bränder i soprum i kvarteren bakom centret. Väktarna går "
               "extra rundor, vi byter till låsbara sopkärl och ny belysning på parkeringen är "
               "beställd."),
         Reply("malmo_social",
               "Fältassistenterna har pratat med ungdomarna. Många säger att det saknas ställen "
               "att vara på sedan fritidsgården kortade sina kvällsöppettider.\n\n"
               "Det kan vara värt att ta upp som åtgärd."),
         Reply("lst_skane",
               "Länsstyrelsen kan stödja uppföljningen om ni vill göra det här till en "
               "avgränsad insats med mätning före och efter."),
         Reply("malmo_samordnare",
               "Jag lägger till fritidsgårdens öppettider som förslag till åtgärd och bjuder in "
               "fritidsförvaltningen till tisdag.", quote=3))),
    DemoTopic(
        "malmo", "malmo_social", "Sommarlovets insatser: vem gör vad?",
        "Till sommaren behöver vi en gemensam plan för kvällar och helger: sommarjobb, "
        "fritidsgårdarnas öppettider, fältassistenter, nattvandrare och polisens närvaro. Jag "
        "har börjat en tabell och fyller på efter mötet.",
        (Reply("bostad",
               "Vi kan erbjuda tio sommarjobb för ungdomar i området, med skötsel av "
               "utemiljöerna, och håller lokalen vid torget öppen för nattvandrarna."),
         Reply("malmo_polis",
               "Vi planerar för områdespoliser på plats torsdag till lördag kvällar under "
               "sommarlovet och återkopplar i gruppen varje måndag."))),
)

TOPIC_WATCHES = (("goteborg_samordnare", "Hur följer vi upp insatser som ger effekt först efter "
                                         "flera år?"),
                 ("orebro_polis", "Trygghetsvandring i Gottsunda: hur når ni fler boende?"))


def seed_forums(ctx: Any) -> None:
    categories = _categories(ctx)
    for user_key, category_key in CATEGORY_WATCHES:
        services.watch_category(ctx.users[user_key], categories[category_key])
    # Spread over the last four weeks, a topic every three days (on a working day, in the
    # morning), its replies through that working day.
    today = utcnow().astimezone(STOCKHOLM).date()
    topics = {item.title: _topic(ctx, categories[item.category], item,
                                 _working_morning(today - dt.timedelta(days=28 - 3 * n)))
              for n, item in enumerate(TOPICS)}
    for user_key, title in TOPIC_WATCHES:
        services.watch_topic(ctx.users[user_key], topics[title])
    ctx.shared["forums.categories"] = categories


def _working_morning(day: dt.date) -> dt.datetime:
    """08:30 in Stockholm on ``day``, or on the Friday before when ``day`` is a weekend."""
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def _categories(ctx: Any) -> dict[str, Category]:
    made = {}
    for key, (group_key, creator, name, description, is_qa) in CATEGORIES.items():
        group = ctx.groups[group_key] if group_key else None
        made[key] = services.create_category(ctx.users[creator], name, group=group,
                                             description=description, is_qa=is_qa,
                                             theme=CATEGORY_THEMES.get(key))
    return made


def _topic(ctx: Any, category: Category, item: DemoTopic, when: dt.datetime) -> Topic:
    asker = ctx.users[item.author]
    first, _created = services.create_topic(asker, category, item.title, item.body, now=when)
    topic = first.topic
    posts = [first]
    for n, reply in enumerate(item.replies, start=1):
        quoted = posts[reply.quote] if reply.quote is not None else None
        body = _quoted(quoted) + reply.body if quoted else reply.body
        resource = ctx.shared.get(reply.attach) if reply.attach else None
        attachments = services.Attachments(picked=[resource]) if resource is not None else None
        post, _created = services.reply(ctx.users[reply.author], topic, body, reply_to=quoted,
                                        attachments=attachments,
                                        now=when + dt.timedelta(minutes=80 * n))
        posts.append(post)
    if item.answer is not None:
        services.mark_answer(asker, topic, posts[item.answer + 1])
    if item.pinned:
        services.moderate_topic(ctx.users["admin"], topic, "pin")
    return topic


def _quoted(post: Post) -> str:
    """The first paragraph of ``post`` as the reply form's quote button writes it."""
    paragraph = post.body.split("\n\n")[0]
    lines = "\n".join("> " + line for line in paragraph.splitlines())
    return f"{post.author.display_name} [skrev]({services.post_path(post.id)}):\n{lines}\n\n"
