"""An award reaches the agent's screen without a reload: ``callgrade live`` follows a queue_log,
the twentieth call the agent answers today earns the standard's instant reward, and the award
appears on the open awards page (server-sent events, under the app's Content-Security-Policy)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WHO = """
import django; django.setup()
from callgrade.people.models import Employee
print(Employee.objects.get(user__username="agent").employee_id)
"""


def _line(t: int, k: int, agent: str) -> str:
    return f"{t}|call{k}|support|{agent}|CONNECT|5|call{k}.1|2\n"


def test_an_award_appears_without_reload_when_the_queue_log_grows(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    env, data = app_server["env"], app_server["data"]
    who = subprocess.run([sys.executable, "-c", WHO], env=env, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert who.returncode == 0, who.stderr[-2000:]
    agent = who.stdout.strip()
    log = tmp_path / "queue_log"
    t0 = int(time.time()) - 60
    log.write_text("".join(_line(t0 + k, k, agent) for k in range(19)))
    live = subprocess.Popen(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", str(log), "--data-dir",
         str(data), "--interval", "0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "live.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    try:
        stored = data / "live" / "events.jsonl"
        for _ in range(300):
            if stored.exists() and len(stored.read_bytes().splitlines()) == 19:
                break
            time.sleep(0.1)
        else:
            raise AssertionError((tmp_path / "live.log").read_text()[-3000:])
        page = page_as("agent")
        page.goto(f"{app_server['base']}/me/awards/")
        page.evaluate("window.__still_this_page = true")
        assert page.locator("#my-awards tr.new").count() == 0
        time.sleep(1.0)  # the 19 calls are evaluated: none of them earned the reward
        assert page.locator("#my-awards tr.new").count() == 0
        with open(log, "a") as f:
            f.write(_line(t0 + 19, 19, agent))  # the twentieth call
        page.wait_for_selector("#my-awards tr.new", timeout=20_000)
        row = page.locator("#my-awards tr.new").first.inner_text()
        assert "Twenty calls answered today" in row and "Calls answered" not in row
        assert "20 times Answer rate" in row or "20 times" in row
        assert page.evaluate("window.__still_this_page") is True  # no reload happened
        assert "Twenty calls answered today" in page.locator("#award-live").inner_text()
    finally:
        live.terminate()
        live.wait(timeout=30)
