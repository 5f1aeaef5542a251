"""config/settings.py read from the environment: production refuses development keys and passes
`check --deploy`; DATABASE_URL and REDIS_URL switch the backends; SQLite runs in WAL mode.

Each case imports the settings in a fresh interpreter, because settings are read once per process.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENV_KEYS = [
    "LVZHI_ENV",
    "SECRET_KEY",
    "LVZHI_FIELD_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SQLITE_PATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser journeys; check --deploy rightly refuses it
]
REAL_SECRET_KEY = "prod-" + hashlib.sha256(b"lvzhi test key").hexdigest()  # 69 varied characters
REAL_FIELD_KEY = base64.b64encode(bytes(range(32))).decode()

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "debug": settings.DEBUG,
    "production": settings.PRODUCTION,
}))
"""


def run(args, **env):
    """Run python with `args` in the project root, with a clean lvzhi environment plus `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_with(**env):
    result = run(["-c", "import django; django.setup()\n" + PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_needs_a_secret_key():
    result = run(["-c", "import config.settings"], LVZHI_ENV="production", LVZHI_FIELD_KEY=REAL_FIELD_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run(
        ["-c", "import config.settings"],
        LVZHI_ENV="production",
        SECRET_KEY="too-short",
        LVZHI_FIELD_KEY=REAL_FIELD_KEY,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_needs_a_field_key():
    result = run(["-c", "import config.settings"], LVZHI_ENV="production", SECRET_KEY=REAL_SECRET_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "LVZHI_FIELD_KEY" in result.stderr


def test_production_refuses_the_development_field_key_even_when_set():
    result = run(
        ["-c", "import config.settings"],
        LVZHI_ENV="production",
        SECRET_KEY=REAL_SECRET_KEY,
        LVZHI_FIELD_KEY="ZGV2ZWxvcG1lbnQtZmllbGQta2V5LW5vdC1zZWNyZXQ=",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    "field_key", ["changeme", "not base64!", base64.b64encode(b"sixteen bytes!!!").decode()]
)
def test_the_deployment_check_refuses_a_malformed_field_key(field_key):
    result = run(
        ["manage.py", "check", "--deploy"],
        LVZHI_ENV="production",
        SECRET_KEY=REAL_SECRET_KEY,
        LVZHI_FIELD_KEY=field_key,
        ALLOWED_HOSTS="lvzhi.example",
    )

    assert result.returncode != 0
    assert "lvzhi.E001" in result.stderr


def test_development_starts_with_nothing_set():
    result = run(["-c", "import config.settings"])

    assert result.returncode == 0, result.stderr


def test_production_passes_the_deployment_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        LVZHI_ENV="production",
        SECRET_KEY=REAL_SECRET_KEY,
        LVZHI_FIELD_KEY=REAL_FIELD_KEY,
        ALLOWED_HOSTS="lvzhi.example",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_fails_the_deployment_check():
    # The check is not trivially green: development settings (DEBUG, public key) are caught.
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode != 0


def test_production_turns_debug_off():
    values = settings_with(LVZHI_ENV="production", SECRET_KEY=REAL_SECRET_KEY, LVZHI_FIELD_KEY=REAL_FIELD_KEY)

    assert values["production"] is True
    assert values["debug"] is False


def test_the_default_database_is_sqlite_in_wal_mode():
    values = settings_with()

    assert values["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert values["options"]["timeout"] > 0


def test_database_url_selects_postgresql():
    values = settings_with(DATABASE_URL="postgres://lvzhi:secret@db.example:5432/lvzhi")

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "lvzhi"


def test_the_default_cache_is_local_memory():
    assert settings_with()["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_the_redis_cache():
    values = settings_with(REDIS_URL="redis://127.0.0.1:6379/1")

    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["cache_location"] == "redis://127.0.0.1:6379/1"


def test_a_sqlite_database_file_really_runs_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    result = run(["-c", code], SQLITE_PATH=str(tmp_path / "lvzhi.sqlite3"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"
