"""Outgoing email for partners core: rendered in the recipient's language, sent only after commit.

A rolled-back change never mails anyone, and a mail server that is down never rolls back a change: the
worker sends the message (tasks.email_send), so a failed send stays visible as a failed task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accord.partners.tasks import email_send


def absolute_url(path: str) -> str:
    """A link for an email: the configured base URL plus a site path."""
    return settings.ACCORD_BASE_URL.rstrip("/") + path


def mail_after_commit(*, to: str, template: str, context: dict, language: str = "", reply_to: str = "") -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language`; send when the transaction commits.

    `reply_to` lets the recipient answer a person (e.g. the partner user who wrote) rather than the system.
    """
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)

    transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=to, reply_to=reply_to))
