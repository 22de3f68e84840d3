"""A small reverse proxy for browser tests: it forwards every connection to the server and
says, in X-Forwarded-For, that the request came from ``client``, as nginx would.

Chromium does not send a context's extra HTTP headers with a WebSocket handshake, and
Streamlit scripts (the sign-in page) learn about their client from exactly that
handshake; so a header set in the browser cannot stand in for a proxy here.

Each connection carries one request (the proxy asks for ``Connection: close``) or one
WebSocket, so only the head of each connection needs editing; the rest is piped.
"""

from __future__ import annotations

import asyncio
import socket
import threading


class ForwardingProxy:
    def __init__(self, upstream_port: int, client: str) -> None:
        self.upstream_port = upstream_port
        self.client = client
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://localhost:{self.port}"
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._forward, "127.0.0.1", self.port)
        )
        ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        self._server.close()
        connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    async def _forward(self, reader, writer) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port
        )
        upstream_writer.write(self._edited(head))
        await upstream_writer.drain()
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )

    def _edited(self, head: bytes) -> bytes:
        lines = head.decode("latin-1").split("\r\n")[:-2]
        upgrade = any(line.lower().startswith("upgrade:") for line in lines)
        kept = [
            line
            for line in lines
            if not line.lower().startswith("x-forwarded-for:")
            and (upgrade or not line.lower().startswith("connection:"))
        ]
        kept.append(f"X-Forwarded-For: {self.client}")
        if not upgrade:
            kept.append("Connection: close")
        return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1")


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
