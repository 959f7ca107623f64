"""Starting the server safely (HTTP layer): who can log in to a server that just started.

On 127.0.0.1 (``make run`` on a laptop) Leerlus makes a local administrator the first time, without
a password, and every start prints a one-time login link for it in the terminal: whoever can read
that terminal started the server. A server on any other address refuses to start while there are
no accounts, so it is never open to the network without a login.
"""

from __future__ import annotations

import getpass
import ipaddress

from fastapi import FastAPI

from kb.access import ADMIN
from kb.accounts import LOCAL_ADMIN
from kb.audit import Event
from kb.errors import LeerlusError

NO_ACCOUNTS = (
    "Leerlus luistert op {host} en is daar bereikbaar voor anderen, maar er zijn nog geen gebruikers. "
    "Maak eerst een beheerder: 'leerlus gebruikers toevoegen NAAM --rol admin'. Alleen op 127.0.0.1 "
    "maakt Leerlus zelf een lokale beheerder met een eenmalige inloglink."
)


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_login(app: FastAPI, host: str, port: int) -> str | None:
    """The one-time login link to print at start, or ``None``; raises a Dutch error when the server
    would be reachable from the network without any account."""
    kb = app.state.kb
    if not is_loopback(host):
        if kb.accounts.count_active() == 0:
            raise LeerlusError(NO_ACCOUNTS.format(host=host), code="geen-gebruikers")
        return None
    admin = kb.accounts.local_admin()
    if admin is None:
        if kb.accounts.count_active() > 0:
            return None  # there are real accounts and no local administrator: log in with a name
        try:
            kb.accounts.add(LOCAL_ADMIN, ADMIN, lokaal=True)
        except LeerlusError as error:
            if error.code != "bestaat-al":
                raise  # else another server on this database, starting at the same moment, made it
        else:
            target = f"gebruiker:{LOCAL_ADMIN}"
            kb.audit.append(Event(wie=_os_user(), rol="opdrachtregel", actie="gebruiker-toevoegen", object=target))
        admin = kb.accounts.local_admin()
    assert admin is not None and admin.id is not None
    key = app.state.login_links.create(admin.id)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/inloggen/link/{key}"


def _os_user() -> str:
    try:
        return f"systeem:{getpass.getuser()}"
    except (KeyError, OSError):
        return "systeem"
