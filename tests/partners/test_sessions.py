"""The session store reads sessions like Django's database store: same data, same expiry."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accord.partners.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back():
    session = SessionStore()
    session["_auth_user_id"] = "42"
    session.create()

    assert SessionStore(session.session_key).load() == {"_auth_user_id": "42"}


def test_an_expired_session_is_empty_and_forgets_its_key():
    session = SessionStore()
    session["cart"] = [1, 2]
    session.create()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))

    reread = SessionStore(session.session_key)
    assert reread.load() == {}
    assert reread.session_key is None


def test_an_unknown_or_deleted_session_is_empty():
    session = SessionStore()
    session["cart"] = [1]
    session.create()
    key = session.session_key
    session.delete()

    assert SessionStore(key).load() == {}
    assert SessionStore("x" * 32).load() == {}
