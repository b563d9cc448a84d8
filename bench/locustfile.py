"""Locust users for bench/web_load.py: each user takes one pre-made session (an agent for the
scorecard, a team lead for the team page) and GETs its page over and over.

Configuration comes from the environment (web_load.py sets it):

- ``WEB_LOAD_SESSIONS``: the JSON file of sessions written by web_load.py;
- ``WEB_LOAD_PAGE``: ``me`` (the agent's own scorecard, /me/) or ``team`` (the lead's /team/);
- ``WEB_LOAD_WAIT``: think time between a user's requests, ``"<min>-<max>"`` seconds (``0`` for
  none: a closed loop that measures saturation).

Production settings mark cookies Secure and trust ``X-Forwarded-Proto`` from the proxy that
terminates TLS, so each user sends its session cookie itself and says the request came over HTTPS.
A response counts as a failure unless it is a 200 that contains what the page must show (the
agent's employee id on the scorecard with its total score; the agent's row on the lead's table).
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

PAGE = os.environ.get("WEB_LOAD_PAGE", "me")
SESSIONS: list[dict[str, Any]] = (
    json.loads(open(os.environ["WEB_LOAD_SESSIONS"], encoding="utf-8").read())["pairs"]  # noqa: SIM115
    if "WEB_LOAD_SESSIONS" in os.environ
    else []
)
_next = itertools.count()


def _wait() -> Any:
    spec = os.environ.get("WEB_LOAD_WAIT", "0")
    if "-" in spec:
        low, high = (float(x) for x in spec.split("-", 1))
        return between(low, high)
    return constant(float(spec))


class PageUser(FastHttpUser):
    wait_time = _wait()

    def on_start(self) -> None:
        pair = SESSIONS[next(_next) % len(SESSIONS)]
        who = pair["agent"] if PAGE == "me" else pair["lead"]
        self.path = "/me/" if PAGE == "me" else "/team/"
        self.headers = {
            "Cookie": f"sessionid={who['session']}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-hans",
        }
        agent_id = pair["agent"]["employee_id"]
        if PAGE == "me":
            self.expected = [f"{agent_id}</span>", 'id="total-score"']
        else:
            self.expected = ['id="team-table"', f'data-employee="{agent_id}"']

    @task
    def page(self) -> None:
        with self.client.get(
            self.path, headers=self.headers, name=self.path, catch_response=True
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}")
                return
            text = resp.text or ""
            missing = [e for e in self.expected if e not in text]
            if missing:
                resp.failure(f"missing {missing[0]!r}")
            else:
                resp.success()
