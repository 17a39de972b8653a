"""Security at the API's edge, as API Gateway, AWS WAF and Clerk provide it in production.

``install_security(app, SecuritySettings.from_env())`` once, then ``current_user`` (or
``CurrentUser``) on every route that needs a signed-in user. One module per job:
settings, jwt_verify, throttle, waf, cors, headers, and middleware (the wiring).
"""

from alex.api.security.jwt_verify import (
    JwksCache,
    JwtVerifier,
    TokenError,
    TokenErrorReason,
)
from alex.api.security.middleware import (
    CurrentUser,
    EdgeSecurity,
    current_user,
    install_security,
)
from alex.api.security.settings import SecuritySettings
from alex.api.security.throttle import (
    Decision,
    ThrottledError,
    TokenBucketLimiter,
    WindowRateRule,
)
from alex.api.security.waf import SqliMatch, detect_sqli, inspect_request

__all__ = [
    "CurrentUser",
    "Decision",
    "EdgeSecurity",
    "JwksCache",
    "JwtVerifier",
    "SecuritySettings",
    "SqliMatch",
    "ThrottledError",
    "TokenBucketLimiter",
    "TokenError",
    "TokenErrorReason",
    "WindowRateRule",
    "current_user",
    "detect_sqli",
    "inspect_request",
    "install_security",
]
