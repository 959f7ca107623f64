"""Users, passwords and API tokens (the store stage of access control).

Passwords are hashed with argon2id (``argon2-cffi``); an API token is a random string of which only
the SHA-256 hash is stored (it has 256 bits of entropy, so a slow hash adds nothing), shown once.
The secret that signs session cookies comes from ``LEERLUS_SECRET_KEY`` or is made once and kept in
the data directory (readable by its owner only). Roles and what they may do live in :mod:`kb.access`.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kb.access import ADMIN, ROLE_LABELS, ROLES, Principal
from kb.db import session_scope
from kb.errors import InvalidInput, LeerlusError, NotFound
from kb.settings import Settings
from kb.userdata import ApiToken, User

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12
TOKEN_PREFIX = "llt_"
LOCAL_ADMIN = "lokale-beheerder"
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("leerlus-nooit-een-wachtwoord")  # equal work for unknown names: no timing oracle


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(naam: str) -> str:
    naam = naam.strip().lower()
    if not NAME.match(naam):
        raise InvalidInput(
            f"gebruikersnaam '{naam}' is ongeldig: 2 tot 80 tekens, kleine letters, cijfers, '.', '_' of '-'"
        )
    return naam


def check_role(rol: str) -> str:
    wanted = rol.strip().lower()
    aliases = {"beheerder": ADMIN}
    wanted = aliases.get(wanted, wanted)
    if wanted not in ROLES:
        raise InvalidInput(f"rol '{rol}' is onbekend; kies uit {', '.join(ROLES)} (of beheerder)")
    return wanted


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"het wachtwoord is te kort: minstens {MIN_PASSWORD} tekens")
    if len(password) > 1000:
        raise InvalidInput("het wachtwoord is te lang: hoogstens 1.000 tekens")
    return password


@dataclass(frozen=True)
class UserInfo:
    """A user as listed by ``leerlus gebruikers lijst``: never a hash."""

    naam: str
    rol: str
    team: str | None
    actief: bool
    lokaal: bool
    tokens: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "naam": self.naam,
            "rol": self.rol,
            "rol_label": ROLE_LABELS.get(self.rol, self.rol),
            "team": self.team,
            "actief": self.actief,
            "lokaal": self.lokaal,
            "tokens": self.tokens,
        }


def principal_of(user: User, via: str) -> Principal:
    assert user.id is not None
    return Principal(user_id=user.id, naam=user.naam, rol=user.rol, team=user.team, via=via)


class Accounts:
    """Users and tokens of one database, for the HTTP layer and the CLI."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users ---------------------------------------------------------------------------------

    def add(
        self,
        naam: str,
        rol: str,
        *,
        team: str | None = None,
        wachtwoord: str | None = None,
        lokaal: bool = False,
    ) -> UserInfo:
        """A new user; 409 ``bestaat-al`` when the name is taken. Without a password the user can log
        in only by a one-time link or a token."""
        naam, rol = check_name(naam), check_role(rol)
        team = (team or "").strip() or None
        if team is not None and len(team) > 200:
            raise InvalidInput("team mag hoogstens 200 tekens lang zijn")
        hashed = _hasher.hash(check_password(wachtwoord)) if wachtwoord is not None else None
        taken = LeerlusError(f"gebruiker '{naam}' bestaat al", code="bestaat-al", status=409)
        try:
            with session_scope(self.engine) as session:
                if session.exec(select(User).where(User.naam == naam)).first() is not None:
                    raise taken
                user = User(naam=naam, rol=rol, team=team, wachtwoord_hash=hashed, lokaal=lokaal)
                session.add(user)
                session.flush()
                return self._info(session, user)
        except IntegrityError as error:  # another process added the same name a moment ago
            raise taken from error

    def users(self) -> list[UserInfo]:
        with Session(self.engine) as session:
            return [self._info(session, u) for u in session.exec(select(User).order_by(col(User.naam)))]

    def count_active(self) -> int:
        with Session(self.engine) as session:
            return len(session.exec(select(User.id).where(col(User.actief).is_(True))).all())

    def set_active(self, naam: str, active: bool) -> UserInfo:
        """Block (or unblock) a user: every session and token of a blocked user stops at once."""
        with session_scope(self.engine) as session:
            user = self._get(session, naam)
            user.actief = active
            user.sessie_versie += 1
            session.add(user)
            return self._info(session, user)

    def set_password(self, naam: str, wachtwoord: str) -> None:
        with session_scope(self.engine) as session:
            user = self._get(session, naam)
            user.wachtwoord_hash = _hasher.hash(check_password(wachtwoord))
            user.sessie_versie += 1
            session.add(user)

    def local_admin(self) -> User | None:
        """The local administrator made by ``leerlus serve`` on 127.0.0.1, if it exists and is active."""
        with Session(self.engine) as session:
            query = select(User).where(col(User.lokaal).is_(True), col(User.actief).is_(True))
            return session.exec(query.order_by(col(User.id))).first()

    # -- logging in ----------------------------------------------------------------------------

    def login(self, naam: str, wachtwoord: str) -> User | None:
        """The active user with this name and password, or ``None``. Takes the same time for an
        unknown name; a hash made with older parameters is renewed on the way."""
        with session_scope(self.engine) as session:
            user = session.exec(select(User).where(User.naam == naam.strip().lower()[:80])).first()
            stored = user.wachtwoord_hash if user is not None and user.actief else None
            try:
                _hasher.verify(stored or _DUMMY, wachtwoord[:1000])
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if user is None or stored is None:
                return None
            if _hasher.check_needs_rehash(stored):
                user.wachtwoord_hash = _hasher.hash(wachtwoord)
                session.add(user)
            session.flush()
            session.expunge(user)
            return user

    def known(self, naam: str) -> bool:
        with Session(self.engine) as session:
            return session.exec(select(User.id).where(User.naam == naam.strip().lower()[:80])).first() is not None

    def session_user(self, user_id: int, version: int) -> User | None:
        """The user of a session cookie, if still active and the session was not ended."""
        with Session(self.engine) as session:
            user = session.get(User, user_id)
            if user is None or not user.actief or user.sessie_versie != version:
                return None
            session.expunge(user)
            return user

    def active_user(self, user_id: int) -> User | None:
        with Session(self.engine) as session:
            user = session.get(User, user_id)
            if user is None or not user.actief:
                return None
            session.expunge(user)
            return user

    def end_sessions(self, user_id: int) -> None:
        """Log out: every session of this user ends (the version in their cookies no longer matches)."""
        with session_scope(self.engine) as session:
            user = session.get(User, user_id)
            if user is not None:
                user.sessie_versie += 1
                session.add(user)

    # -- tokens --------------------------------------------------------------------------------

    def new_token(self, naam: str, label: str = "") -> tuple[str, dict[str, Any]]:
        """A new API token for ``naam``: the token itself (shown once) and its public record."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with session_scope(self.engine) as session:
            user = self._get(session, naam)
            assert user.id is not None
            record = ApiToken(user_id=user.id, label=label.strip()[:120], prefix=token[:12], hash=token_hash(token))
            session.add(record)
            session.flush()
            return token, _token_public(record)

    def token_user(self, token: str) -> User | None:
        """The active user a token belongs to, or ``None`` (unknown, revoked or blocked)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with Session(self.engine) as session:
            record = session.exec(select(ApiToken).where(ApiToken.hash == token_hash(token))).first()
            if record is None or record.ingetrokken is not None:
                return None
            user = session.get(User, record.user_id)
            if user is None or not user.actief:
                return None
            session.expunge(user)
            return user

    def revoke_token(self, naam: str, token_id: int) -> dict[str, Any]:
        with session_scope(self.engine) as session:
            user = self._get(session, naam)
            record = session.get(ApiToken, token_id)
            if record is None or record.user_id != user.id:
                raise NotFound(f"gebruiker '{user.naam}' heeft geen token {token_id}")
            if record.ingetrokken is None:
                record.ingetrokken = datetime.now(UTC)
                session.add(record)
            return _token_public(record)

    # -- helpers -------------------------------------------------------------------------------

    def _get(self, session: Session, naam: str) -> User:
        user = session.exec(select(User).where(User.naam == naam.strip().lower())).first()
        if user is None:
            raise NotFound(f"gebruiker '{naam}' bestaat niet")
        return user

    def _info(self, session: Session, user: User) -> UserInfo:
        tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))).all()
        return UserInfo(user.naam, user.rol, user.team, user.actief, user.lokaal, [_token_public(t) for t in tokens])


def _token_public(record: ApiToken) -> dict[str, Any]:
    return {
        "id": record.id,
        "label": record.label,
        "begin": record.prefix,
        "aangemaakt": record.aangemaakt.isoformat(),
        "ingetrokken": record.ingetrokken.isoformat() if record.ingetrokken else None,
    }


SECRET_FILE = "sessiesleutel"


def session_secret(settings: Settings) -> bytes:
    """The key that signs session cookies: ``LEERLUS_SECRET_KEY``, or a random key made once and kept
    in the data directory (mode 600), so sessions survive a restart. Several servers behind one load
    balancer must share the setting."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this very moment
            key = path.read_bytes().strip()
            if key:
                return key
            time.sleep(0.02)
        raise LeerlusError(f"de sessiesleutel {path} is leeg; verwijder het bestand en start opnieuw") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_hex(32).encode("ascii"))
    return path.read_bytes().strip()
