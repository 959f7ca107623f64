"""Sessions for the HTTP layer of access control: signed cookies, CSRF tokens, one-time login links
and the brake on guessing (failed logins and unknown tokens).

A session cookie (``leerlus_sessie``, HttpOnly, SameSite=Strict, Secure behind TLS) is signed with
``itsdangerous`` and holds a random nonce, and once logged in the user id and the user's session
version; nothing else. The CSRF token of every form is an HMAC of that nonce, so it changes with
each login and cannot be made without the secret. Logging out raises the user's session version,
which ends every session of that user. One-time links and the brake live in the memory of one
server process: a link is printed by ``leerlus serve`` in the process that will accept it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from kb.settings import Settings
from kb.userdata import User

COOKIE = "leerlus_sessie"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class Sessions:
    """Reads and writes session cookies and checks CSRF tokens, with one secret."""

    def __init__(self, settings: Settings, secret: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="leerlus-sessie")
        self._secret = secret
        self.max_age = settings.session_hours * 3600
        self.secure = settings.cookies_secure

    def read(self, raw: str | None) -> dict[str, Any] | None:
        """The payload of a cookie that is signed by us and not older than a session may be."""
        if not raw or len(raw) > 1000:
            return None
        try:
            payload = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
            return None
        return payload

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(18)

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._secret, b"csrf|" + nonce.encode("ascii", "replace"), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token(nonce), token)

    def log_in(self, response: Response, user: User) -> None:
        """Start a session for ``user`` with a fresh nonce (a session is never carried over)."""
        self._set(response, {"n": self.new_nonce(), "u": user.id, "v": user.sessie_versie})

    def anonymous(self, response: Response, nonce: str) -> None:
        """A cookie with only a nonce, so the login form can carry a CSRF token."""
        self._set(response, {"n": nonce})

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", secure=self.secure, httponly=True, samesite="strict")

    def _set(self, response: Response, payload: dict[str, Any]) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(payload),
            max_age=self.max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )


class LoginLinks:
    """One-time login links for the local administrator: each key works once, for a short time."""

    def __init__(self, lifetime: float = 15 * 60) -> None:
        self.lifetime = lifetime
        self._keys: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def create(self, user_id: int) -> str:
        key = secrets.token_urlsafe(32)
        with self._lock:
            self._keys[hashlib.sha256(key.encode()).hexdigest()] = (user_id, time.monotonic() + self.lifetime)
        return key

    def consume(self, key: str) -> int | None:
        with self._lock:
            found = self._keys.pop(hashlib.sha256(key.encode()).hexdigest(), None)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]


@dataclass
class Brake:
    """Counts failures per key (a name, an address) in a sliding window; too many and the key waits."""

    limit: int
    window: float = 15 * 60

    def __post_init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if t > now - self.window]
            self._failures[key] = recent
            if len(recent) < self.limit:
                return 0
            return int(recent[0] + self.window - now) + 1

    def fail(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.monotonic())

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class Brakes:
    """The brakes of one app: failed logins per name and per address, unknown tokens per address."""

    def __init__(self) -> None:
        self.login_name = Brake(limit=5)
        self.login_address = Brake(limit=20)
        self.token_address = Brake(limit=20)


def minutes(seconds: int) -> str:
    count = max(1, (seconds + 59) // 60)
    return f"{count} minuut" if count == 1 else f"{count} minuten"
