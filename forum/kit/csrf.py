"""CSRF protection for the HTML forms: a signed double-submit token.

Every browser gets a random ``forum_csrf`` cookie; each form carries an HMAC of it
under the server's secret. A cross-site page can make the browser send the cookie
but cannot read it, so it cannot produce the matching form field. The JSON API needs
none of this: it authenticates only by bearer token, which a browser never sends by itself.
"""

import hashlib
import hmac
import secrets

COOKIE_NAME = "forum_csrf"
FIELD_NAME = "csrf_token"


def new_seed() -> str:
    return secrets.token_urlsafe(24)


def token_for(seed: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def is_valid(seed: str | None, token: str | None, secret: str) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(token_for(seed, secret), token)
