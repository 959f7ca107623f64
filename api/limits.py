"""Request limits for the HTTP layer: a body larger than :data:`kb.limits.MAX_BODY_BYTES` is refused
with ``413`` before any route parses it.

The body is counted while it is read: a declared ``Content-Length`` over the limit fails the first
read, and a body sent in chunks (or with a wrong length) fails as soon as it passes the limit. The
refusal is a :class:`BodyTooLarge`, so ``api.errors`` answers it like every other error (JSON for
the API, a Dutch page for browsers); the route never sees the body and memory stays bounded.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.limits import MAX_BODY_BYTES, MAX_TEXT_CHARS, dutch_number

TOO_LARGE = (
    f"het verzoek is te groot: hoogstens {dutch_number(MAX_BODY_BYTES)} bytes, "
    f"en een tekst hoogstens {dutch_number(MAX_TEXT_CHARS)} tekens"
)


class BodyTooLarge(HTTPException):
    """Raised while a body is read; FastAPI passes HTTP errors on unchanged to the handlers."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=TOO_LARGE)


class BodyLimit:
    """ASGI middleware that bounds the size of every request body."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0").strip()
        refused = not declared.isdigit() or int(declared) > self.max_bytes
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if refused:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)
