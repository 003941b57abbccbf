"""A small TCP proxy for tests: put it between the app and PostgreSQL, then cut and restore it.

`cut()` closes every connection and stops listening (new connections are refused, as when the
database host goes away); `restore()` listens again on the same port. `cut_at(trigger, after)`
arms a cut in the middle of a transaction: on a connection that has sent `after` (say the text
of an INSERT), the first chunk containing `trigger` (say b"COMMIT") is not forwarded; the proxy
cuts instead. PostgreSQL then rolls the open transaction back, deterministically, with no timing.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass


@dataclass
class _Armed:
    trigger: bytes
    after: bytes


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.cuts = 0  # how many times the proxy was cut (by `cut()` or an armed trigger)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._armed: _Armed | None = None

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def is_cut(self) -> bool:
        return self._server is None

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        self.cuts += 1
        self._armed = None
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()

    async def stop(self) -> None:
        await self.cut()

    def cut_at(self, trigger: bytes, after: bytes) -> None:
        self._armed = _Armed(trigger, after)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        seen_after = [False]  # per connection: has the client sent the armed `after` bytes yet?
        await asyncio.gather(
            self._pipe(client_reader, server_writer, seen_after),
            self._pipe(server_reader, client_writer, None),
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen_after: list[bool] | None
    ) -> None:
        """Copy one direction; `seen_after` is given for the client-to-server one (the armed cut)."""
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await reader.read(65536):
                if seen_after is not None and self._trips(chunk, seen_after):
                    await self.cut()
                    return
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)

    def _trips(self, chunk: bytes, seen_after: list[bool]) -> bool:
        armed = self._armed
        if armed is None:
            return False
        if seen_after[0] and armed.trigger in chunk:
            return True
        if armed.after in chunk:
            seen_after[0] = True
        return False
