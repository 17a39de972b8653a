"""Secret scrubbing for anything that leaves the process as telemetry (logs, spans, errors).

``scrub(value)`` returns a copy of ``value`` (str, dict, list/tuple/set, nested) where

* the value of every key that names a secret (password, token, api_key, cookie, ...) is
  replaced by ``[REDACTED]``, whatever its type;
* inside every string, secrets recognisable by their shape are replaced: AWS access key ids,
  ``name=value`` / ``"name": "value"`` pairs whose name is a secret's, JWTs, ``Bearer``/``Basic``
  credentials, SigV4 ``Signature=`` / ``Credential=`` / security tokens, PEM private key blocks
  and the password of ``scheme://user:password@host`` URLs.

Other values (numbers, booleans, None, objects) are returned unchanged; use
``scrub_text(str(obj))`` for objects rendered as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Words that make a key sensitive when they are one of its parts (parts are split on
# "_", "-", ".", spaces and camelCase), e.g. "db_password", "X-Amz-Security-Token",
# "apiKey"; "input_tokens" is not sensitive ("tokens" is not "token").
_SENSITIVE_PART = re.compile(
    r"(?:^|_)(?:password|passwd|passphrase|secret|token|authorization|api_?key|apikey|credentials?|"
    r"private_?key|session_?token|security_?token|cookie|set_?cookie|access_?key_?secret)(?:_|$)"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s.\-/:]+")

# A secret's name followed by ":" or "=" inside free text ("password=hunter2",
# '"api_key": "abc"', "aws_secret_access_key = wJal..."). The name must END with the
# sensitive word, so "input_tokens=12" and "token_count=3" are left alone.
_KV_NAME = (
    r"(?:password|passwd|passphrase|secret|token|authorization|api[_-]?key|apikey|credentials?|"
    r"private[_-]?key|secret[_-]?access[_-]?key|secret[_-]?key|session[_-]?token|security[_-]?token|cookie)"
)
_KV = re.compile(
    r"(?P<key>[\"']?(?<![A-Za-z0-9])[A-Za-z0-9_.\-]*?" + _KV_NAME + r"[\"']?\s*[:=]\s*)"
    r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|"
    r"(?:(?:Bearer|Basic|Digest|Token|AWS4-HMAC-SHA256)\s+)?(?:\[REDACTED[^\]]*\]|[^\s,;&\"'}\])\[])+)",
    re.IGNORECASE,
)
_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9 ]+ )?PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9 ]+ )?PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)(?P<at>@)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
_BEARER = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+(?P<token>[A-Za-z0-9._~+/\-]+=*)", re.IGNORECASE)
_SIGV4 = re.compile(
    r"(?P<key>\b(?:X-Amz-)?(?:Signature|Credential|Security-Token)=)(?P<value>\[REDACTED\]|[^\s,&;\"']+)",
    re.IGNORECASE,
)
_AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")

_MAX_DEPTH = 32


def is_sensitive_key(key: Any) -> bool:
    """True when ``key`` names a secret (case-insensitive, by its parts)."""
    if not isinstance(key, str):
        key = str(key)
    normalised = _SEPARATORS.sub("_", _CAMEL.sub("_", key)).lower()
    return bool(_SENSITIVE_PART.search(normalised))


def _kv(match: re.Match[str]) -> str:
    value = match.group("value")
    if value[:1] in "\"'" and len(value) >= 2:
        return f"{match.group('key')}{value[0]}{REDACTED}{value[0]}"
    return f"{match.group('key')}{REDACTED}"


def scrub_text(text: str) -> str:
    """Redact the secrets recognisable inside one string."""
    if not text:
        return text
    text = _PEM.sub("[REDACTED PRIVATE KEY]", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}{m.group('at')}", text)
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)
    text = _SIGV4.sub(lambda m: f"{m.group('key')}{REDACTED}", text)
    text = _KV.sub(_kv, text)
    text = _AWS_KEY_ID.sub(REDACTED, text)
    return text


def scrub(value: Any, _depth: int = 0) -> Any:
    """A copy of ``value`` with secrets redacted (see the module docstring)."""
    if isinstance(value, str):
        return scrub_text(value)
    if _depth >= _MAX_DEPTH:
        return REDACTED if isinstance(value, (Mapping, list, tuple, set, frozenset)) else value
    if isinstance(value, Mapping):
        return {
            (scrub_text(k) if isinstance(k, str) else k): (
                REDACTED if v is not None and is_sensitive_key(k) else scrub(v, _depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v, _depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub(v, _depth + 1) for v in value)
    if isinstance(value, (set, frozenset)):
        return [scrub(v, _depth + 1) for v in value]
    if isinstance(value, bytes):
        return scrub_text(value.decode("utf-8", "replace"))
    return value
