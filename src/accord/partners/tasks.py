"""Background work for partners core."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task
def email_send(*, subject: str, body: str, to: str, reply_to: str = "") -> None:
    """Send one rendered email from the worker: SMTP latency stays out of web requests, and a send that
    fails is kept as a failed task with its error instead of vanishing into a log."""
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to],
                           reply_to=[reply_to] if reply_to else None).send()
