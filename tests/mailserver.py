"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail
tests. It can refuse recipients, ask for a user name and password, and run a hook as a
message arrives (to kill the sender at a chosen moment)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self, *, refuse: set[str] = frozenset(), login: tuple[str, str] | None = None):
        self.received: list[Received] = []
        self.refuse = set(refuse)
        self.login = login
        self.on_mail = None  # called with the number of the MAIL command, before answering
        self.on_data = None  # called with the Received, before answering 250
        self.mails = 0
        self.arrived = threading.Condition()
        self.port = free_port()
        authenticator = self._authenticate if login else None
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticator,
            auth_required=bool(login),
            auth_require_tls=False,  # loopback only; Catalyst itself defaults to STARTTLS
        )

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        )
        return AuthResult(success=ok, handled=False)

    async def handle_MAIL(self, server, session, envelope, address, options):
        self.mails += 1
        if self.on_mail:
            self.on_mail(self.mails)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        with self.arrived:
            self.received.append(received)
            self.arrived.notify_all()
        if self.on_data:
            self.on_data(received)
        return "250 OK: queued"

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def secrets(self, folder, **extra) -> str:
        """A secrets file pointing Catalyst at this server; its path."""
        lines = [
            "[catalyst.smtp]",
            'host = "127.0.0.1"',
            f"port = {self.port}",
            'security = "none"',
            'sender = "catalyst@example.com"',
        ]
        if self.login:
            lines += [f'user = "{self.login[0]}"', f'password = "{self.login[1]}"']
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in extra.items()]
        path = folder / "secrets.toml"
        path.write_text("\n".join(lines) + "\n")
        return str(path)
