"""Italian phrasings of prompt-injection attempts (data for the phrase compiler)."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, NEW, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

_IT_IGNORE = (
    "ignora", "ignorate", "ignori", "ignorare", "dimentica", "dimenticate", "dimentichi",
    "dimenticare", "non tenere conto", "non tenete conto", "non tener conto", "trascura",
    "trascurate", "tralascia", "tralasciate", "salta", "scarta", "scartate", "non seguire",
    "non seguite", "non seguire piu", "smetti di seguire", "non considerare", "non considerate",
    "lascia perdere", "annulla", "annullate", "disobbedisci", "non obbedire",
)
_IT_INSTR = (
    "istruzioni", "istruzione", "indicazioni", "regole", "direttive", "ordini", "comandi",
    "messaggi", "prompt", "restrizioni", "vincoli", "consegne",
)
PHRASES: list[Phrase] = [
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "delle", "dei", "degli", "le", "a")),
                       Opt(("tutte", "tutti", "tutto", "qualsiasi")),
                       Opt(("le", "i", "gli", "tue", "tuoi", "le tue", "i tuoi", "queste", "delle")),
                       _IT_INSTR,
                       ("precedenti", "di prima", "sopra", "qui sopra", "iniziali", "originali",
                        "del sistema", "di sistema", "ricevute", "date", "anteriori", "fornite",
                        "precedentemente date", "che ti sono state date", "che hai ricevuto",
                        "scritte sopra"))),
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "delle", "a")), Opt(("tutte", "tutti", "tutto")),
                       ("le tue", "i tuoi", "tue", "tuoi"), _IT_INSTR)),
    P(OVERRIDE, "it", (_IT_IGNORE, Opt(("di", "a")), Opt(("tutto",)),
                       ("quanto sopra", "cio che precede", "quello che ti e stato detto",
                        "tutto quello che hai ricevuto", "quello scritto sopra", "quanto detto prima",
                        "cio che e stato detto", "quello che precede", "il testo sopra",
                        "il testo precedente", "quanto scritto sopra", "cio che sai",
                        "quello che sai"))),
    P(ROLE, "it", (("ora sei", "adesso sei", "da ora sei", "da adesso sei", "d'ora in poi sei",
                    "d ora in poi sei", "da ora in poi sei", "a partire da ora sei", "non sei piu",
                    "comportati come", "agisci come", "fingi di essere", "fai finta di essere",
                    "ora tu sei", "adesso tu sei", "diventi", "diventa", "sei ora", "lei e ora",
                    "interpreta il ruolo"),
                   Opt(("un", "una", "uno", "il", "la", "l", "un\'", "mio", "mia")), Gap(2),
                   ("assistente", "ia", "intelligenza artificiale", "modello", "bot", "chatbot", "dan",
                    "senza restrizioni", "senza limiti", "senza filtri", "senza censura", "senza regole",
                    "modalita sviluppatore", "hacker", "malvagio", "libero da", "sbloccato",
                    "senza alcuna restrizione", "senza alcun limite"))),
    P(EXFIL, "it", (("rivela", "rivelami", "mostra", "mostrami", "stampa", "dimmi", "ripeti", "condividi",
                     "svela", "visualizza", "dammi", "fammi vedere", "scrivi", "qual e", "quali sono",
                     "elenca", "copia", "riporta", "mostraci"),
                    Opt(("il", "tuo", "il tuo", "le", "tue", "le tue", "la", "i", "tutto il", "tutte le", "l")),
                    ("prompt di sistema", "prompt del sistema", "messaggio di sistema",
                     "istruzioni di sistema", "istruzioni del sistema", "istruzioni nascoste",
                     "istruzioni originali", "istruzioni iniziali", "prompt iniziale", "prompt",
                     "istruzioni segrete", "prompt originale"))),
    P(EXFIL, "it", (("rivela", "rivelami", "mostra", "mostrami", "dimmi", "ripeti", "scrivi", "quali sono",
                     "dammi", "elenca", "condividi"),
                    ("le tue", "tue", "tutte le tue"), ("istruzioni", "regole", "indicazioni", "direttive"))),
    P(EXFIL, "it", (("prompt di sistema", "prompt del sistema", "istruzioni di sistema"),)),
    P(NEW, "it", (("le tue", "le", "tue"), ("nuove", "vere"),
                  ("istruzioni", "regole", "direttive", "indicazioni", "ordini"), ("sono", "saranno"))),
    P(NEW, "it", (("il tuo", "la tua", "tuo", "tua"), ("nuovo", "nuova", "vero", "vera"),
                  ("compito", "ruolo", "obiettivo", "missione", "scopo", "funzione"), ("e", "sara"))),
]
