"""The WSGI application a server loads is ready before its first request."""

import json
import os
import subprocess
import sys

from django.conf import settings


def test_loading_the_application_reads_every_language_and_freezes_what_it_loaded(tmp_path):
    probe = ("import gc, json; import accord.wsgi; from django.utils.translation import trans_real, get_language; "
             "print(json.dumps({'languages': sorted(trans_real._translations), 'active': get_language(), "
             "'frozen': gc.get_freeze_count()}))")
    env = {**os.environ, "ACCORD_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "accord.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)

    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(loaded["languages"]) >= {code for code, _name in settings.LANGUAGES}
    assert loaded["active"] == settings.LANGUAGE_CODE  # the warm-up leaves no language switched on
    assert loaded["frozen"] > 10_000
