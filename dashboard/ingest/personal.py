"""Personal data inside free text: e-mail addresses and phone numbers in comments are
replaced by [email] and [phone] before anything is stored (DESIGN §3: no identities
stored), and the import says how many it removed.

The patterns are RE2 (DuckDB's regular expressions). Phone numbers are written
in too many ways to catch all; these catch the international (+49 30 1234567,
0049 …), North American ((555) 123-4567) and national (030 1234567, 0171-1234567)
forms without touching dates, times, scores or years.
"""

from __future__ import annotations

EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
PHONE = (
    r"(\+|\b00)[1-9][0-9]{0,2}[ .\-]?(\([0-9]{1,4}\)[ .\-]?)?[0-9]{1,4}([ .\-]?[0-9]{2,5}){1,4}"
    r"|\(?\b[2-9][0-9]{2}\)?[ .\-][0-9]{3}[ .\-][0-9]{4}\b"
    r"|\b0[1-9][0-9]{1,4}[ /\-]?[0-9]{5,8}\b"
)


def scrub_sql(column: str) -> str:
    """The text with e-mail addresses and phone numbers replaced."""
    emails = f"regexp_replace({column}, '{EMAIL}', '[email]', 'g')"
    return f"regexp_replace({emails}, '{PHONE}', '[phone]', 'g')"


def count_sql(column: str, kind: str) -> str:
    """How many e-mail addresses (``kind`` "email") or phone numbers a text holds."""
    pattern = EMAIL if kind == "email" else PHONE
    if kind == "phone":  # counted after e-mails are gone, as scrub_sql replaces them
        column = f"regexp_replace({column}, '{EMAIL}', '[email]', 'g')"
    return f"coalesce(len(regexp_extract_all({column}, '{pattern}')), 0)"


def removed_note(emails: int, phones: int) -> str | None:
    """The import's note on what was taken out of comments, if anything."""
    parts = [
        f"{count:,} {what}{'' if count == 1 else plural}"
        for count, what, plural in ((emails, "e-mail address", "es"), (phones, "phone number", "s"))
        if count
    ]
    if not parts:
        return None
    return (
        f"Removed {' and '.join(parts)} from comments (replaced by [email] and [phone]): "
        "comments are stored without them."
    )
