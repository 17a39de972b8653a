"""Spanish phrasings of prompt-injection attempts (data for the phrase compiler)."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, NEW, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

_ES_IGNORE = (
    "ignora", "ignore", "ignorar", "ignoren", "ignoras", "olvida", "olvide", "olvidar", "olviden",
    "omite", "omita", "omitir", "descarta", "descarte", "desestima", "desestime", "haz caso omiso de",
    "haga caso omiso de", "hagan caso omiso de", "no hagas caso de", "no hagas caso a", "no sigas",
    "no siga", "deja de seguir", "pasa por alto", "pase por alto", "salta", "anula", "anule",
    "desobedece", "no obedezcas", "no tengas en cuenta", "no tenga en cuenta",
)
_ES_INSTR = (
    "instrucciones", "instruccion", "indicaciones", "reglas", "ordenes", "directrices", "normas",
    "directivas", "pautas", "mensajes", "comandos", "consignas", "restricciones", "prompt",
)
PHRASES: list[Phrase] = [
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todas", "todos", "toda", "todo", "cualquier")),
                       Opt(("las", "los", "tus", "sus", "estas", "esas")), Opt(("anteriores", "previas")),
                       _ES_INSTR,
                       ("anteriores", "previas", "de arriba", "precedentes", "anteriormente dadas",
                        "originales", "iniciales", "del sistema", "de sistema", "que te dieron",
                        "que te han dado", "recibidas", "dadas", "previamente dadas", "ya dadas",
                        "de antes", "mencionadas", "que recibiste", "que tienes", "dadas antes"))),
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todas", "todos", "toda", "todo")), ("tus", "sus"), _ES_INSTR)),
    P(OVERRIDE, "es", (_ES_IGNORE, Opt(("todo", "toda", "con")),
                       ("lo anterior", "lo de arriba", "lo que se dijo antes", "lo que te dijeron",
                        "lo que se te dijo", "lo dicho anteriormente", "lo dicho", "lo escrito arriba",
                        "el texto anterior", "lo que esta arriba", "lo que hay arriba",
                        "lo mencionado arriba", "lo que sabes", "lo que te han dicho"))),
    P(ROLE, "es", (("ahora eres", "ahora seras", "ahora vas a ser", "a partir de ahora eres",
                    "a partir de ahora seras", "desde ahora eres", "de ahora en adelante eres",
                    "actua como", "actue como", "finge ser", "finge que eres", "ya no eres",
                    "comportate como", "haz de", "eres ahora", "te conviertes en", "conviertete en",
                    "usted es ahora", "ahora usted es"),
                   Opt(("un", "una", "el", "la", "mi")), Gap(2),
                   ("asistente", "ia", "inteligencia artificial", "modelo", "bot", "chatbot", "dan",
                    "sin restricciones", "sin limites", "sin filtros", "sin censura", "sin reglas",
                    "modo desarrollador", "hacker", "malvado", "malvada", "liberado", "desbloqueado",
                    "sin ninguna restriccion", "sin ataduras"))),
    P(EXFIL, "es", (("revela", "revelar", "revelame", "muestra", "muestrame", "mostrar", "imprime",
                     "imprimir", "dime", "repite", "repetir", "ensena", "ensename", "comparte",
                     "filtra", "escribe", "dame", "cual es", "cuales son", "proporciona", "expon",
                     "divulga", "copia", "recita"),
                    Opt(("me", "nos")),
                    Opt(("el", "tu", "tus", "la", "las", "los", "su", "sus", "todo el", "todas las", "completo")),
                    ("prompt del sistema", "prompt de sistema", "mensaje del sistema", "mensaje de sistema",
                     "instrucciones del sistema", "instrucciones de sistema", "instrucciones ocultas",
                     "instrucciones originales", "instrucciones iniciales", "prompt", "prompt inicial",
                     "prompt original", "indicaciones del sistema", "instrucciones secretas",
                     "configuracion interna"))),
    P(EXFIL, "es", (("revela", "muestra", "muestrame", "dime", "repite", "imprime", "ensename", "dame",
                     "cuales son", "comparte", "escribe"),
                    ("tus", "sus", "todas tus"), ("instrucciones", "reglas", "indicaciones", "directrices"))),
    P(EXFIL, "es", (("prompt del sistema", "prompt de sistema", "instrucciones del sistema",
                     "mensaje del sistema"),)),
    P(NEW, "es", (("tus", "sus", "las"), ("nuevas", "verdaderas", "reales"),
                  ("instrucciones", "ordenes", "reglas", "directrices", "indicaciones"), ("son", "seran"))),
    P(NEW, "es", (("tu", "su"), ("nueva", "nuevo", "verdadera", "verdadero"),
                  ("tarea", "mision", "rol", "papel", "objetivo", "funcion", "proposito"), ("es", "sera"))),
]
