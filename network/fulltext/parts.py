"""Word lists for Swedish search: known compound parts and stop words.

COMPOUND_PARTS are common Swedish words that end compounds in this programme's texts (crime
prevention, social services, schools, housing, municipal work) and everyday heads that build
many compounds. A compound is split when its stem ends with one of them (see ``words.py``); the
list is kept small and reviewable on purpose: a part added here changes how every entry is
indexed after its next write (``flask search-reindex`` rewrites all entries at once).

STOP_WORDS are Snowball's Swedish stop words, folded like every token (å/ä/ö → a/a/o). They are
neither indexed nor searched for, so "och" does not match every document.
"""

COMPOUND_PARTS = (
    "analys", "ansvar", "arbete", "arbetare", "avtal", "bakgrund", "barn", "befolkning",
    "behandling", "belysning", "beslut", "besök", "bevakning", "bidrag", "bild", "boende", "bolag",
    "brott", "brottslighet", "budget", "byggnad", "centrum", "dag", "data", "debatt", "dialog",
    "drog", "ekonomi", "elev", "enhet", "enkät", "erfarenhet", "fakta", "familj", "fastighet",
    "filter", "flykt", "folk", "fond", "fordon", "forskning", "frågor", "främjande", "fält",
    "förebyggande", "förening", "förmåga", "förslag", "förvaltning", "gata", "gemenskap", "gräns",
    "grupp", "gård", "gäng", "handledning", "handling", "hem", "hjälp", "hus", "hälsa", "identitet",
    "information", "initiativ", "insats", "inspektion", "instans", "integration", "kamera",
    "kampanj", "kapacitet", "karta", "kartläggning", "klass", "kommun", "kontakt", "kontroll",
    "kostnad", "kriminalitet", "kris", "kultur", "kunskap", "kurs", "kvarter", "lag", "ledare",
    "ledning", "lokal", "lots", "lägenhet", "läge", "lärare", "läsår", "löfte", "man", "material",
    "medarbetare", "medel", "metod", "miljö", "modell", "myndighet", "mål", "mätning", "möte",
    "nämnd", "nätverk", "näring", "område", "organisation", "park", "pass", "person", "personal",
    "plan", "plats", "polis", "politik", "program", "projekt", "prevention", "process", "rapport",
    "region", "rekrytering", "resurs", "risk", "roll", "rutin", "rådgivning", "råd", "samarbete",
    "samhälle", "samordnare", "samordning", "samtal", "samverkan", "sats", "schema", "signal",
    "situation", "skada", "skola", "skydd", "social", "spaning", "stad", "statistik", "stöd",
    "strategi", "styrning", "störning", "stöld", "support", "system", "säkerhet", "tid", "tillsyn",
    "tjänst", "tjänsteman", "träff", "trygghet", "tränare", "uppdrag", "uppföljning", "uppgift",
    "utbildning", "utredning", "utsatthet", "utveckling", "utvärdering", "vakt", "vandrare",
    "vandring", "verksamhet", "vård", "våld", "värd", "zon", "ålder", "åtgärd", "ärende",
    "övervakning", "ungdom", "vuxen", "förälder", "mottagning", "bostad"
)

STOP_WORDS = frozenset((
    "alla", "allt", "an", "ar", "at", "att", "av", "blev", "bli", "blir", "blivit", "da", "dar",
    "de", "dem", "den", "denna", "deras", "dess", "dessa", "det", "detta", "dig", "din", "dina",
    "ditt", "du", "efter", "ej", "eller", "en", "er", "era", "ert", "ett", "for", "fran", "ha",
    "hade", "han", "hans", "har", "henne", "hennes", "hon", "honom", "hur", "i", "icke", "ingen",
    "inom", "inte", "jag", "ju", "kan", "kunde", "man", "med", "mellan", "men", "mig", "min",
    "mina", "mitt", "mot", "mycket", "nagon", "nagot", "nagra", "nar", "ni", "nu", "och", "om",
    "oss", "over", "pa", "sa", "sadan", "sadana", "sadant", "samma", "sedan", "sig", "sin", "sina",
    "sjalv", "skulle", "som", "till", "under", "upp", "ut", "utan", "vad", "var", "vara", "varfor",
    "varit", "varje", "vars", "vart", "vem", "vi", "vid", "vilka", "vilkas", "vilken", "vilket"
))
