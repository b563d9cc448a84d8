"""Static files as production and ``callgrade serve`` serve them: collected with content-hashed
names and compressed copies, ECharts served brotli- or gzip-compressed with a year-long cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

# About the files the app serves, not its database: run in one pass (scripts/test.sh).
pytestmark = pytest.mark.once

SRC = Path(__file__).resolve().parents[2] / "src"
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
ECHARTS = "callgrade/vendor/echarts-5.6.0.min.js"


def _settings_with(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import json, callgrade.web.settings as s; print(json.dumps({'storage': "
        "s.STORAGES['staticfiles']['BACKEND'], 'root': str(s.STATIC_ROOT), "
        "'finders': s.WHITENOISE_USE_FINDERS, 'autorefresh': s.WHITENOISE_AUTOREFRESH}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLGRADE_")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def test_production_and_command_line_serving_use_the_hashed_compressed_storage(
    tmp_path: Path,
) -> None:
    production = _settings_with(
        {
            "CALLGRADE_PRODUCTION": "1",
            "CALLGRADE_SECRET_KEY": "x" * 50,
            "CALLGRADE_ALLOWED_HOSTS": "example.org",
            "CALLGRADE_DATA_DIR": str(tmp_path),
        }
    )
    assert production == {
        "storage": MANIFEST,
        "root": str(tmp_path / "static"),
        "finders": False,
        "autorefresh": False,
    }
    served = _settings_with(
        {"CALLGRADE_COLLECTED_STATIC": "1", "CALLGRADE_DATA_DIR": str(tmp_path)}
    )
    assert served["storage"] == MANIFEST and served["finders"] is served["autorefresh"] is False
    development = _settings_with({"CALLGRADE_DATA_DIR": str(tmp_path)})
    assert development["storage"] != MANIFEST
    assert development["finders"] is development["autorefresh"] is True


def test_collected_echarts_has_a_hashed_name_and_compressed_copies(tmp_path: Path) -> None:
    root = tmp_path / "static"
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": MANIFEST},
    }
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=storages,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        # the admin's files are Django's: leaving them out keeps this fast
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin", "*.txt"]
        )
        paths = json.loads((root / "staticfiles.json").read_text())["paths"]
        hashed = paths[ECHARTS]
        assert hashed != ECHARTS and hashed.startswith("callgrade/vendor/echarts-5.6.0.min.")
        original = (SRC / "callgrade/web/static" / ECHARTS).stat().st_size
        gz = root / f"{hashed}.gz"
        assert gz.is_file() and gz.stat().st_size < original / 2

        # WhiteNoise (a fresh client loads the middleware with these settings) serves it
        # compressed and, the name being hashed, cacheable for good
        response = Client().get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert int(response["Content-Length"]) == gz.stat().st_size


def test_the_app_warms_before_serving(tmp_path: Path) -> None:
    """What ``callgrade serve`` runs in gunicorn's master before it listens (a fresh process on
    an empty database: migrated, then warmed)."""
    code = (
        "import sys; from pathlib import Path; from callgrade.web import launch; "
        "launch.setup(Path(sys.argv[1])); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "launch.warm(); "
        "assert 'callgrade.cycles.views.me' in sys.modules and 'duckdb' in sys.modules; "
        "print('warm')"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLGRADE_")}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        # static files as tests serve them (collecting is the test above)
        env={**clean, "PYTHONPATH": str(SRC), "CALLGRADE_COLLECTED_STATIC": "0"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stdout.strip() == "warm", out.stderr[-2000:]
