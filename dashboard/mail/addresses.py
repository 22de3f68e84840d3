"""E-mail addresses and the names shown beside them, made safe for a header.

An address must be one plain mailbox (``name@domain.tld``) before it enters the outbox:
the rule accounts use for e-mails (so every account can be written to), minus what would
break a header (angle brackets, quotes, commas …). Non-ASCII addresses pass; a server
without SMTPUTF8 refuses them, and that message alone fails with the reason.
A display name is free text from the roster or an admin; it may hold anything, so it
loses control characters (a CR/LF would start a header of its own) and goes into the
header through ``email.headerregistry.Address``, which quotes and encodes it. The
standard library's header policy refuses a linefeed in any header as a second wall.
"""

from __future__ import annotations

import re
from email.headerregistry import Address

# One mailbox: no display name, comments, spaces or header punctuation; a dot in the domain.
_ADDRESS = re.compile(r'[^@\s<>()\[\],;:"\\]+@[^@\s<>()\[\],;:"\\]+\.[^@\s<>()\[\],;:"\\]+')
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class MailError(ValueError):
    """An address or a message that cannot be sent; the message says what to fix."""


def check_address(address: str) -> str:
    """The address itself when it is one plain mailbox; MailError otherwise."""
    if (
        not isinstance(address, str)
        or not _ADDRESS.fullmatch(address)
        or _CONTROL.search(address)
        or len(address) > 254
    ):
        shown = _CONTROL.sub(" ", str(address))[:80]
        raise MailError(f"{shown!r} is not an e-mail address like name@example.com")
    return address


def clean_name(name: str | None) -> str:
    """A display name on one line: control characters become single spaces."""
    return " ".join(_CONTROL.sub(" ", name or "").split())[:200]


def mailbox(name: str | None, address: str) -> Address:
    """A header value for "Name <address>", whatever the name holds."""
    local, _, domain = check_address(address).partition("@")
    return Address(display_name=clean_name(name), username=local, domain=domain)
