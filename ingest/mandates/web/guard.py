"""The connections of ``mandates serve``: limits that slow and greedy clients cannot get around.

uvicorn's HTTP/1.1 protocol (h11) has no timer on a connection until its first request is
answered, and its keep-alive timer is cancelled by every byte that arrives: a client that
sends one header line every few seconds, or one byte of its body at a time, holds the
connection for as long as it likes. :func:`guarded_protocol` makes a subclass of that
protocol which adds, per server (:class:`ConnectionLimits`):

- **a deadline for a whole request**: from the first byte of a request (or the opening of
  the connection) to its last body byte, at most ``request_timeout`` seconds, however the
  bytes trickle in; then the client gets ``408 Request Timeout`` (when nothing has been
  answered yet) and the connection is closed. The time a request waits for its answer
  (a query in the queue) does not count; a connection idle between requests is closed by
  uvicorn's keep-alive timeout;
- **a connection cap per client** (by IP address): a client holding ``max_per_client``
  connections gets ``503`` with ``Retry-After`` on the next one, which is then closed;
- **a cap on all connections**, ``max_connections``, answered the same way.

Refused connections are answered at once and closed a second later (their request, if
any, is read and dropped meanwhile, so the client reads the 503 rather than a reset).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ConnectionLimits", "guarded_protocol"]

#: a refused connection is closed this many seconds after its 503
LINGER = 1.0


@dataclass
class ConnectionLimits:
    """The limits of a server's connections and what they have counted (shared by all of
    its connections, which run on one event loop)."""

    max_connections: int = 512
    max_per_client: int = 32
    request_timeout: float = 10.0
    open: int = 0
    per_client: Counter = field(default_factory=Counter)
    refused: int = 0
    timed_out: int = 0

    def admit(self, client: str) -> str | None:
        """Count a new connection of ``client``; or why it is refused."""
        if self.open >= self.max_connections:
            return f"the server holds {self.max_connections} connections, its limit"
        if self.per_client[client] >= self.max_per_client:
            return f"this client holds {self.max_per_client} connections, the limit of one client"
        self.open += 1
        self.per_client[client] += 1
        return None

    def release(self, client: str) -> None:
        self.open -= 1
        self.per_client[client] -= 1
        if self.per_client[client] <= 0:
            del self.per_client[client]


def _raw_answer(status: int, reason: str, message: str, extra: str = "") -> bytes:
    body = (message.rstrip() + "\n").encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n").encode("ascii") + body


class _Guarded(H11Protocol):
    """uvicorn's h11 protocol with the limits of :class:`ConnectionLimits` (see the module)."""

    limits: ClassVar[ConnectionLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ip = ""
        self._counted = False
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None

    # -- the connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._ip = str(self.client[0]) if self.client else ""
        why = self.limits.admit(self._ip)
        if why is not None:
            self._refuse(why)
            return
        self._counted = True
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            self.limits.release(self._ip)
        super().connection_lost(exc)

    def _refuse(self, why: str) -> None:
        self._refused = True
        self.limits.refused += 1
        self.transport.write(_raw_answer(503, "Service Unavailable", f"{why}; try again shortly",
                                         "Retry-After: 1\r\n"))
        self._close_lingering()

    # -- the deadline of a request

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.limits.request_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _reading(self) -> bool:
        """Whether a request (its head or its body) is still arriving."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or not self._reading():
            return
        self.limits.timed_out += 1
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_raw_answer(408, "Request Timeout", "the request did not arrive in "
                                             f"{self.limits.request_timeout:g} s"))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the application reads a disconnect and stops
            cycle.message_event.set()
        self._close_lingering()

    def _close_lingering(self) -> None:
        """Half-close, read and drop what still trickles in for a moment, then close: closing
        at once with unread bytes makes the kernel reset the connection, and a reset discards
        the answer the client has not read yet (the 408 or 503 would be lost)."""
        self._refused = True  # data_received drops what comes now
        try:
            self.transport.write_eof()
        except (OSError, RuntimeError, NotImplementedError):  # pragma: no cover - closed meanwhile
            pass
        self.loop.call_later(LINGER, self.transport.close)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first bytes of another request on this connection
        super().data_received(data)
        if not self._reading():
            self._disarm()

    def shutdown(self) -> None:
        """On the server's stop: a connection still sending its request is closed at once."""
        if self._refused or self._reading():
            self.transport.close()
            return
        super().shutdown()


def guarded_protocol(limits: ConnectionLimits) -> type[H11Protocol]:
    """The protocol class (uvicorn's ``http=``) of one server, counting into ``limits``."""
    return type("GuardedH11Protocol", (_Guarded,), {"limits": limits})
