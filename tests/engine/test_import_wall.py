"""The engine stays importable without Django loaded (import-linter checks the static graph)."""

import subprocess
import sys


def test_engine_import_does_not_load_django():
    code = (
        "import sys, callgrade.engine.warehouse, callgrade.engine.ingest, "
        "callgrade.engine.connectors; assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
