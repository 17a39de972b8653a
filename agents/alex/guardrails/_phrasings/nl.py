"""Dutch phrasings of prompt-injection attempts (data for the phrase compiler)."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

PHRASES: list[Phrase] = [
    P(
        OVERRIDE,
        "nl",
        (
            (
                "negeer",
                "negeren",
                "vergeet",
                "vergeten",
                "sla over",
                "volg niet",
                "volg niet langer",
                "houd geen rekening met",
                "laat varen",
            ),
            Opt(("alle", "al", "elke")),
            Opt(("de", "je", "jouw", "uw", "deze")),
            ("vorige", "eerdere", "voorgaande", "bovenstaande", "oorspronkelijke", "vorig", "eerder gegeven", "systeem"),
            ("instructies", "opdrachten", "regels", "aanwijzingen", "richtlijnen", "bevelen", "prompts"),
        ),
    ),
    P(
        ROLE,
        "nl",
        (
            (
                "je bent nu",
                "jij bent nu",
                "u bent nu",
                "vanaf nu ben je",
                "doe alsof je",
                "gedraag je als",
                "je bent niet langer",
            ),
            Opt(("een", "de", "het", "mijn")),
            Gap(2),
            (
                "assistent",
                "ai",
                "model",
                "bot",
                "dan",
                "zonder beperkingen",
                "zonder regels",
                "zonder filters",
                "ontwikkelaarsmodus",
                "hacker",
                "onbeperkt*",
                "ongefilterd*",
            ),
        ),
    ),
    P(
        EXFIL,
        "nl",
        (
            ("toon", "laat zien", "geef", "herhaal", "onthul", "print", "wat is"),
            Opt(("me", "mij", "ons")),
            Opt(("je", "jouw", "uw", "de", "het")),
            (
                "systeemprompt",
                "systeem prompt",
                "systeeminstructies",
                "verborgen instructies",
                "oorspronkelijke instructies",
                "prompt",
                "instructies",
            ),
        ),
    ),
]
