"""German phrasings of prompt-injection attempts (data for the phrase compiler)."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, NEW, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

_DE_IGNORE = (
    "ignoriere", "ignorier", "ignorieren", "ignoriert", "ignorieren sie", "vergiss", "vergessen sie",
    "vergesst", "missachte", "missachten sie", "missachtet", "ubergehe", "ubergehen sie",
    "uberspringe", "uberspringen sie", "verwirf", "verwerfe", "verwerfen sie", "beachte nicht",
    "beachten sie nicht", "befolge nicht", "befolge nicht mehr", "befolgen sie nicht",
    "folge nicht mehr", "hore nicht auf", "streiche",
    "vernachlassige", "vernachlassigen sie", "schenke keine beachtung",
)
_DE_ADJ = (
    "bisherigen", "bisherige", "vorherigen", "vorherige", "vorigen", "vorige", "fruheren",
    "fruehere", "obigen", "obige", "vorangegangenen", "vorangegangene", "vorhergehenden",
    "vorhergehende", "ursprunglichen", "ursprungliche", "alten", "anfanglichen", "initialen",
    "gegebenen", "erhaltenen", "oben genannten", "obenstehenden", "vorstehenden", "system",
)
_DE_INSTR = (
    "anweisungen", "anweisung", "instruktionen", "befehle", "regeln", "vorgaben", "richtlinien",
    "anordnungen", "direktiven", "systemanweisungen", "anleitungen", "aufforderungen", "eingaben",
    "nachrichten", "hinweise", "einschrankungen", "prompts", "prompt", "systemprompt",
)
PHRASES: list[Phrase] = [
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "samtliche", "jegliche", "saemtliche")),
                       Opt(("die", "deine", "ihre", "eure", "der", "den", "deiner")), _DE_ADJ,
                       Opt(("system",)), _DE_INSTR)),
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "samtliche", "jegliche")),
                       ("deine", "ihre", "eure", "alle deine", "alle ihre"), _DE_INSTR)),
    P(OVERRIDE, "de", (_DE_IGNORE, Opt(("alle", "die")), _DE_INSTR,
                       ("oben", "von oben", "von vorher", "zuvor", "davor", "von vorhin", "bis jetzt",
                        "bisher"))),
    P(OVERRIDE, "de", (("vergiss", "vergessen sie", "ignoriere", "ignorieren sie", "missachte"),
                       ("alles", "alle"), Opt(("was", "bisherige", "bisher", "vorher", "zuvor", "das")),
                       Gap(2),
                       ("oben steht", "oben", "vorher", "zuvor", "bisher", "bisherige", "davor", "gesagt",
                        "gesagt wurde", "gesagt hat", "gesagt hast", "gelernt", "gesagt wurden",
                        "steht oben", "obenstehende", "vorangegangene"))),
    P(ROLE, "de", (("du bist jetzt", "du bist nun", "du bist ab sofort", "ab jetzt bist du",
                    "ab sofort bist du", "von nun an bist du", "sie sind jetzt", "sie sind nun",
                    "sie sind ab sofort", "du bist kein", "du bist keine", "du bist nicht mehr",
                    "handle als", "agiere als", "verhalte dich wie", "verhalte dich als",
                    "tu so als warst du", "tu so als waerst du", "tu so als ob du",
                    "spiele die rolle", "du wirst jetzt", "du wirst zu", "werde zu", "gib dich als"),
                   Opt(("ein", "eine", "einen", "der", "die", "das", "mein", "meine")), Gap(2),
                   ("assistent*", "ki", "kunstliche intelligenz", "modell", "bot", "chatbot", "dan",
                    "uneingeschrankt*", "ohne einschrankungen", "ohne regeln", "ohne filter",
                    "ohne zensur", "ohne grenzen", "ohne beschrankungen", "entwicklermodus", "hacker",
                    "bose", "boser", "befreit*", "freigeschaltet*", "unzensiert*", "ungefiltert*"))),
    P(EXFIL, "de", (("zeige", "zeig", "zeigen sie", "gib", "geben sie", "gib mir", "nenne", "nennen sie",
                     "verrate", "verraten sie", "wiederhole", "wiederholen sie", "drucke", "gib aus",
                     "offenbare", "enthulle", "teile", "schreibe", "schreib", "was ist", "was sind",
                     "liste", "kopiere", "gib wieder", "ausgeben"),
                    Opt(("mir", "uns")),
                    Opt(("deinen", "deine", "dein", "den", "die", "das", "ihren", "ihre", "ihr", "deinen ganzen",
                         "den vollstandigen", "die vollstandigen")),
                    ("systemprompt", "system prompt", "system-prompt", "systemanweisungen",
                     "systemanweisung", "systemnachricht", "versteckten anweisungen",
                     "ursprunglichen anweisungen", "anfanglichen anweisungen", "prompt",
                     "geheimen anweisungen", "internen anweisungen", "initialen anweisungen",
                     "systemvorgaben", "systembefehle"))),
    P(EXFIL, "de", (("zeige", "zeig", "gib", "nenne", "verrate", "wiederhole", "schreibe", "was sind",
                     "teile", "liste"),
                    Opt(("mir", "uns")), ("deine", "ihre", "alle deine"),
                    ("anweisungen", "regeln", "instruktionen", "vorgaben", "richtlinien"))),
    P(EXFIL, "de", (("systemprompt", "system-prompt", "systemanweisungen", "systemnachricht"),)),
    P(NEW, "de", (("deine", "ihre", "die"), ("neuen", "wahren", "echten", "eigentlichen"),
                  ("anweisungen", "befehle", "regeln", "instruktionen", "vorgaben"), ("sind", "lauten"))),
    P(NEW, "de", (("deine", "ihre", "dein", "ihr"), ("neue", "neuer", "wahre", "echte", "eigentliche"),
                  ("aufgabe", "rolle", "mission", "ziel", "funktion", "zweck", "auftrag"), ("ist", "lautet"))),
]
