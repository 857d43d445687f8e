"""Passwords never reach a log line: ``scheme://user:secret@host`` is logged as ``user:***``.

Installed as a log-record factory when the settings module is imported – before Scrapy
logs its "Overridden settings", which would otherwise print ``DATABASE_URL`` whole.
"""

from __future__ import annotations

import logging
import re

_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s'\"]*):(?P<password>[^@/\s'\"]+)@")


def mask(text: str) -> str:
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


def install() -> None:
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_secrets", False):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem, not ours
            return record
        if "://" in message and "@" in message:
            record.msg, record.args = mask(message), None
        return record

    masking_factory.masks_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
