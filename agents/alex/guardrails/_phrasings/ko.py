"""Korean phrasings of prompt-injection attempts: a first line of defence, same grammar."""

from __future__ import annotations

from .._phrase_grammar import EXFIL, OVERRIDE, ROLE, Gap, Opt, Phrase

P = Phrase

PHRASES: list[Phrase] = [
    P(
        OVERRIDE,
        "ko",
        (
            ("이전", "앞의", "위의", "모든", "기존", "시스템", "이전의", "앞선", "위", "지금까지의"),
            Opt(("의",)),
            Opt(("모든",)),
            ("지시", "지침", "명령", "규칙", "지시사항", "프롬프트", "설정", "내용", "지시문", "명령어"),
            Opt(("을", "를", "은", "는", "사항을", "들을", "사항은", "들은")),
            Opt(("모두", "전부", "다")),
            ("무시", "잊어", "잊으", "따르지"),
        ),
        cjk=True,
    ),
    P(
        ROLE,
        "ko",
        (
            (
                "너는 이제",
                "이제 너는",
                "지금부터 너는",
                "당신은 이제",
                "이제 당신은",
                "지금부터 당신은",
                "너는 더 이상",
                "당신은 더 이상",
            ),
            Gap(0, chars=10),
            ("제한", "필터", "검열", "어시스턴트", "ai", "모델", "봇", "dan", "해커"),
        ),
        cjk=True,
    ),
    P(EXFIL, "ko", (("시스템 프롬프트", "시스템프롬프트", "시스템 메시지", "초기 프롬프트", "숨겨진 지시"),), cjk=True),
]
