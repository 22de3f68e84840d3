"""Where messages go: an SMTP server (``[catalyst.smtp]`` in the secrets file), or a
folder of ``.eml`` files (``catalyst run --mail-folder``, the demo), and the one
connection a batch of messages goes through. SMTP is the standard library's smtplib;
nothing here speaks the protocol itself.

Failures come in two kinds, because they are handled differently:

* ``ServerProblem``: the server cannot be reached, refuses the TLS handshake or the
  user name and password. No message is at fault: every message of the batch waits
  and is tried again later.
* ``MessageRefused``: the server took the connection but refused this message or its
  recipient. ``permanent`` is true for a 5xx reply (RFC 5321: do not repeat the same
  request), false for a 4xx one (try again later).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from dashboard import settings
from dashboard.mail.addresses import MailError, check_address

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_SECONDS = 20
FOLDER_ENV = "CATALYST_MAIL_FOLDER"
PUBLIC_URL_ENV = "CATALYST_PUBLIC_URL"


class ServerProblem(Exception):
    """The mail server could not be used at all; the message says why, in words."""


class MessageRefused(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Delivery:
    """How messages leave: by SMTP, or into ``folder``."""

    sender: str
    sender_name: str = "Catalyst"
    reply_to: str | None = None
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    folder: Path | None = None
    public_url: str = "http://localhost:8501"

    def describe(self) -> dict[str, str]:
        """The configuration as Admin shows it: everything but the password."""
        if self.folder is not None:
            where = {"Delivery": f"written as .eml files to {self.folder} (nothing is sent)"}
        else:
            where = {
                "Delivery": "SMTP",
                "Server": f"{self.host}:{self.port}",
                "Security": {"starttls": "STARTTLS", "tls": "TLS", "none": "none"}[self.security],
                "User": self.user or "– (no sign-in)",
                "Password": "set" if self.password else "–",
            }
        return {
            **where,
            "From": f"{self.sender_name} <{self.sender}>",
            "Reply to": self.reply_to or "–",
            "Links point to": self.public_url,
        }


def configured(project_dir: Path | None = None) -> Delivery | None:
    """The delivery set up for this installation, or None: then Catalyst writes no mail
    (invitation links are copied by hand). SettingError for a configuration that cannot
    work, naming the field."""
    section = settings.read_secrets(project_dir).get("catalyst", {})
    smtp = section.get("smtp", {})
    folder = os.environ.get(FOLDER_ENV)
    if not folder and not smtp.get("host"):
        return None
    public_url = (os.environ.get(PUBLIC_URL_ENV) or section.get("public_url") or "").rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise settings.SettingError(
            f"[catalyst] public_url must start with https:// (or http://), got {public_url!r}"
        )
    if not folder and not smtp.get("sender"):
        raise settings.SettingError(
            "[catalyst.smtp] sender is missing: the address messages come from, like "
            '"catalyst@example.com"'
        )
    sender = str(smtp.get("sender") or "catalyst@catalyst.localhost")  # a folder needs none
    try:
        check_address(sender)
        if smtp.get("reply_to"):
            check_address(str(smtp["reply_to"]))
    except MailError as problem:
        raise settings.SettingError(f"[catalyst.smtp] sender or reply_to: {problem}") from None
    common = {
        "sender": sender,
        "sender_name": str(smtp.get("sender_name") or "Catalyst"),
        "reply_to": smtp.get("reply_to") or None,
        "public_url": public_url or "http://localhost:8501",
    }
    if folder:
        return Delivery(**common, folder=Path(folder).expanduser().resolve())
    security = str(smtp.get("security", "starttls")).lower()
    if security not in SECURITY:
        raise settings.SettingError(
            f"[catalyst.smtp] security must be one of {', '.join(SECURITY)}, got {security!r}"
        )
    port = smtp.get("port", DEFAULT_PORTS[security])
    if not isinstance(port, int) or not 0 < port < 65536:
        raise settings.SettingError(f"[catalyst.smtp] port must be a number, got {port!r}")
    return Delivery(
        **common,
        host=str(smtp["host"]),
        port=port,
        security=security,
        user=smtp.get("user") or None,
        password=smtp.get("password") or None,
    )


def public_url(project_dir: Path | None = None) -> str:
    """Where people open Catalyst, for links (also without mail set up)."""
    section = settings.read_secrets(project_dir).get("catalyst", {})
    configured_url = os.environ.get(PUBLIC_URL_ENV) or section.get("public_url")
    return (configured_url or "http://localhost:8501").rstrip("/")


def is_set_up(project_dir: Path | None = None) -> bool:
    """Whether mail goes out (a configuration with a mistake counts as not set up; Admin →
    Mail says what is wrong with it)."""
    try:
        return configured(project_dir) is not None
    except settings.SettingError:
        return False


class Connection:
    """One SMTP session (or the folder) for a batch of messages::

    with Connection(delivery) as connection:
        connection.send(message, name)
    """

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        if self.delivery.folder is not None:
            self.delivery.folder.mkdir(parents=True, exist_ok=True)
            return self
        d = self.delivery
        stage = "STARTTLS"  # what a server that "does not support" it lacks
        try:
            if d.security == "tls":
                context = ssl.create_default_context()
                self._smtp = smtplib.SMTP_SSL(
                    d.host, d.port, timeout=TIMEOUT_SECONDS, context=context
                )
            else:
                self._smtp = smtplib.SMTP(d.host, d.port, timeout=TIMEOUT_SECONDS)
                if d.security == "starttls":
                    self._smtp.starttls(context=ssl.create_default_context())
            if d.user:
                stage = "sign-in (AUTH)"
                self._smtp.login(d.user, d.password or "")
        except smtplib.SMTPAuthenticationError as refusal:
            self._close()
            raise ServerProblem(
                f"the mail server refused the user name or password ({_reply(refusal)}); "
                "correct [catalyst.smtp] user and password in the secrets file"
            ) from None
        except smtplib.SMTPNotSupportedError:
            self._close()
            raise ServerProblem(
                f"{d.host}:{d.port} does not offer {stage}; check [catalyst.smtp] security "
                '("tls" on port 465, "starttls" on 587) and user'
            ) from None
        except (OSError, smtplib.SMTPException) as problem:
            self._close()
            raise ServerProblem(
                f"cannot reach the mail server {d.host}:{d.port}: {problem}"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass  # the messages are sent or marked already; a failed goodbye changes nothing
        self._close()

    def _close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage, name: str) -> None:
        """Hand one message over; ``name`` names its file in a folder."""
        if self.delivery.folder is not None:
            target = self.delivery.folder / f"{name}.eml"
            partial = target.with_suffix(".part")
            try:
                partial.write_bytes(message.as_bytes())
                partial.replace(target)  # whole files only, even if the process dies mid-write
            except OSError as problem:
                raise ServerProblem(f"cannot write to {self.delivery.folder}: {problem}") from None
            return
        assert self._smtp is not None, "send() outside `with Connection(...)`"
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refusal:
            codes = [code for code, _ in refusal.recipients.values()]
            reasons = "; ".join(
                f"{address}: {code} {text.decode(errors='replace')}"
                for address, (code, text) in refusal.recipients.items()
            )
            raise MessageRefused(
                f"the server refused the recipient ({reasons})",
                permanent=all(code >= 500 for code in codes),
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise MessageRefused(
                "the server cannot take this address (it does not support SMTPUTF8)", permanent=True
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refusal:
            raise MessageRefused(
                f"the server refused the message ({_reply(refusal)})",
                permanent=refusal.smtp_code >= 500,
            ) from None
        except (OSError, smtplib.SMTPException) as problem:
            raise ServerProblem(f"the mail server dropped the connection: {problem}") from None


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{error.smtp_code} {text}".strip()
