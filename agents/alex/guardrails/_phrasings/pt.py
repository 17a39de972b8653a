"""Portuguese phrasings of prompt-injection attempts (data for the phrase compiler)."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, NEW, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

_PT_IGNORE = (
    "ignore", "ignora", "ignorem", "ignorar", "esqueca", "esquece", "esquecam", "esquecer",
    "desconsidere", "desconsidera", "desconsiderar", "despreze", "despreza", "nao siga", "nao sigas",
    "pare de seguir", "deixe de lado", "descarte", "descarta", "pule", "nao leve em conta",
    "nao considere", "nao obedeca", "desobedeca", "anule", "anula", "passe por cima de",
)
_PT_INSTR = (
    "instrucoes", "instrucao", "orientacoes", "regras", "diretrizes", "ordens", "comandos",
    "mensagens", "indicacoes", "prompt", "restricoes",
)
PHRASES: list[Phrase] = [
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("todas", "todos", "tudo", "quaisquer")),
                       Opt(("as", "os", "suas", "seus", "tuas", "teus", "estas", "essas")),
                       _PT_INSTR,
                       ("anteriores", "previas", "acima", "de antes", "iniciais", "originais",
                        "do sistema", "de sistema", "recebidas", "dadas", "passadas", "precedentes",
                        "que voce recebeu", "que te deram", "dadas anteriormente", "fornecidas"))),
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("todas", "todos")), ("suas", "seus", "tuas", "teus"), _PT_INSTR)),
    P(OVERRIDE, "pt", (_PT_IGNORE, Opt(("tudo",)),
                       ("o que foi dito acima", "o que foi dito antes", "o que esta acima", "acima",
                        "o que te disseram", "o que foi dito", "o anterior", "o texto acima",
                        "o texto anterior", "o que voce sabe", "o que lhe disseram",
                        "o que foi escrito acima", "que foi dito acima"))),
    P(ROLE, "pt", (("agora voce e", "agora tu es", "agora es", "a partir de agora voce e",
                    "a partir de agora voce sera", "de agora em diante voce e", "voce nao e mais",
                    "aja como", "atue como", "finja ser", "finja que e", "finja que voce e",
                    "comporte-se como", "voce agora e", "voce e agora", "voce se torna",
                    "torne-se", "a partir de agora tu es"),
                   Opt(("um", "uma", "o", "a", "meu", "minha")), Gap(2),
                   ("assistente", "ia", "inteligencia artificial", "modelo", "bot", "chatbot", "dan",
                    "sem restricoes", "sem limites", "sem filtros", "sem censura", "sem regras",
                    "modo desenvolvedor", "hacker", "malvado", "livre de", "desbloqueado",
                    "sem nenhuma restricao", "sem qualquer restricao"))),
    P(EXFIL, "pt", (("revele", "revela", "mostre", "mostra", "mostre-me", "imprima", "imprime", "diga",
                     "diga-me", "me diga", "me mostre", "repita", "compartilhe", "exiba", "exibe",
                     "divulgue", "escreva", "qual e", "quais sao", "de-me", "me de", "copie", "liste"),
                    Opt(("me",)),
                    Opt(("o", "seu", "teu", "o seu", "o teu", "as", "suas", "tuas", "a", "todo o", "todas as")),
                    ("prompt do sistema", "prompt de sistema", "mensagem do sistema",
                     "mensagem de sistema", "instrucoes do sistema", "instrucoes de sistema",
                     "instrucoes ocultas", "instrucoes originais", "instrucoes iniciais",
                     "prompt inicial", "prompt", "instrucoes secretas", "prompt original"))),
    P(EXFIL, "pt", (("revele", "mostre", "mostre-me", "diga", "diga-me", "me diga", "repita", "quais sao",
                     "escreva", "liste", "compartilhe", "me mostre"),
                    ("suas", "tuas", "todas as suas"), ("instrucoes", "regras", "diretrizes", "orientacoes"))),
    P(EXFIL, "pt", (("prompt do sistema", "prompt de sistema", "instrucoes do sistema"),)),
    P(NEW, "pt", (("suas", "tuas", "as"), ("novas", "verdadeiras", "reais"),
                  ("instrucoes", "ordens", "regras", "diretrizes", "orientacoes"), ("sao", "serao"))),
    P(NEW, "pt", (("sua", "tua", "seu", "teu"), ("nova", "novo", "verdadeira", "verdadeiro"),
                  ("tarefa", "missao", "funcao", "papel", "objetivo", "proposito"), ("e", "sera"))),
]
