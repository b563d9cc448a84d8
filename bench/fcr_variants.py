"""First-contact resolution (no repeat within 7 days) per agent over the 50M-interaction month,
written seven ways in plain DuckDB SQL, to find the cheapest exact formulation (not a test).

Every variant returns, per agent, the answered inbound contacts of March 2026 whose customer did
not contact again within 7 days and all answered inbound contacts; they must agree where no
customer has two contacts in the same second (the variants' tie rules differ only there; the
script says whether they agreed). ``count`` is one scan with a distinct count of customers, for
scale.

    python bench/fcr_variants.py --data bench/data/kpi-50m [variant ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

LO = "TIMESTAMPTZ '2026-02-28 16:00:00+00'"  # March 2026 in Asia/Shanghai, as UTC
HI = "TIMESTAMPTZ '2026-03-31 16:00:00+00'"
BASE = (
    "FROM ix WHERE direction = 'inbound' AND customer_id IS NOT NULL "
    f"AND offered_at >= {LO} AND offered_at < {HI} + INTERVAL 7 DAY"
)
COUNTS = (
    "count(*) FILTER (answered AND (nxt IS NULL OR nxt > offered_at + INTERVAL 7 DAY)) AS n, "
    "count(*) FILTER (answered) AS d"
)
SAME = (
    "count(*) FILTER (answered AND (nc IS DISTINCT FROM customer_id "
    "OR nxt > offered_at + INTERVAL 7 DAY)) AS n, count(*) FILTER (answered) AS d"
)
OUTER = f"WHERE offered_at < {HI} AND agent_id IS NOT NULL GROUP BY 1"

VARIANTS = {
    "count": f"SELECT count(*), count(DISTINCT customer_id) {BASE}",
    # the engine's form: lead() and lag() over each customer's contacts in time order; contacts
    # at the same instant are repeats of each other, so ties need no order
    "window_lead_lag": f"""SELECT agent_id,
        count(*) FILTER (answered AND (nxt IS NULL OR nxt > offered_at + INTERVAL 7 DAY)
            AND (prv IS NULL OR prv <> offered_at)) AS n,
        count(*) FILTER (answered) AS d FROM (
        SELECT agent_id, answered, offered_at, lead(offered_at) OVER w AS nxt,
            lag(offered_at) OVER w AS prv {BASE}
        WINDOW w AS (PARTITION BY customer_id ORDER BY offered_at)) {OUTER}""",
    # the engine's earlier form: lead() with the interaction id as tie-break
    "window": f"""SELECT agent_id, {COUNTS} FROM (
        SELECT agent_id, answered, offered_at, lead(offered_at) OVER (
            PARTITION BY customer_id ORDER BY offered_at, interaction_id) AS nxt {BASE}) {OUTER}""",
    # the same without the tie-break (not deterministic on ties; for its cost only)
    "window_no_tiebreak": f"""SELECT agent_id, {COUNTS} FROM (
        SELECT agent_id, answered, offered_at, lead(offered_at) OVER (
            PARTITION BY customer_id ORDER BY offered_at) AS nxt {BASE}) {OUTER}""",
    # 256 large partitions sorted by customer, the next row checked for the same customer
    "window_hash_partitions": f"""SELECT agent_id, {SAME} FROM (
        SELECT agent_id, answered, offered_at, customer_id,
            lead(offered_at) OVER w AS nxt, lead(customer_id) OVER w AS nc {BASE}
        WINDOW w AS (PARTITION BY hash(customer_id) % 256
                     ORDER BY customer_id, offered_at, interaction_id)) {OUTER}""",
    # one global order
    "window_global_order": f"""SELECT agent_id, {SAME} FROM (
        SELECT agent_id, answered, offered_at, customer_id,
            lead(offered_at) OVER w AS nxt, lead(customer_id) OVER w AS nc {BASE}
        WINDOW w AS (ORDER BY customer_id, offered_at, interaction_id)) {OUTER}""",
    # the customer's next contact by an ASOF join (no ties in this data)
    "asof_join": f"""WITH c AS (SELECT customer_id, offered_at, answered, agent_id {BASE})
        SELECT c1.agent_id,
            count(*) FILTER (c1.answered AND (c2.offered_at IS NULL
                OR c2.offered_at > c1.offered_at + INTERVAL 7 DAY)) AS n,
            count(*) FILTER (c1.answered) AS d
        FROM c c1 ASOF LEFT JOIN (SELECT customer_id, offered_at FROM c) c2
            ON c1.customer_id = c2.customer_id AND c2.offered_at > c1.offered_at
        WHERE c1.offered_at < {HI} AND c1.agent_id IS NOT NULL GROUP BY 1""",
    # no sort: 7-day buckets; a contact is resolved when it is the last of its customer's bucket
    # and the customer's first contact in the next bucket is more than 7 days later
    "buckets": f"""WITH c AS (SELECT customer_id, offered_at, interaction_id, answered, agent_id,
            epoch(offered_at)::BIGINT // (7 * 86400) AS b {BASE}),
        g AS (SELECT customer_id, b, min(offered_at) AS first_at,
            arg_max(interaction_id, (offered_at, interaction_id)) AS last_id FROM c GROUP BY ALL),
        r AS (SELECT g.customer_id, g.b, g.last_id, h.first_at AS next_first
            FROM g LEFT JOIN g h ON h.customer_id = g.customer_id AND h.b = g.b + 1)
        SELECT c.agent_id,
            count(*) FILTER (c.answered AND r.last_id IS NOT NULL AND (r.next_first IS NULL
                OR r.next_first > c.offered_at + INTERVAL 7 DAY)) AS n,
            count(*) FILTER (c.answered) AS d
        FROM c LEFT JOIN r ON r.customer_id = c.customer_id AND r.b = c.b
            AND r.last_id = c.interaction_id
        WHERE c.offered_at < {HI} AND c.agent_id IS NOT NULL GROUP BY 1""",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a gen_interactions.py warehouse")
    ap.add_argument("variants", nargs="*", help=f"some of {', '.join(VARIANTS)} (default: all)")
    args = ap.parse_args()
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variant(s): {', '.join(sorted(unknown))}")
    con = duckdb.connect()
    con.execute("SET threads = 2; SET memory_limit = '12GB'; SET enable_progress_bar = false")
    files = args.data / "warehouse" / "interactions" / "*" / "*.parquet"
    con.execute(f"CREATE VIEW ix AS SELECT * FROM read_parquet('{files}')")
    answers: dict[str, list[tuple[object, ...]]] = {}
    for name in args.variants or list(VARIANTS):
        t0 = time.perf_counter()
        rows = sorted(con.sql(VARIANTS[name]).fetchall())
        seconds = time.perf_counter() - t0
        if name != "count":
            answers[name] = rows
        print(f"{name:24s} {seconds:7.2f} s  {len(rows):,} rows", flush=True)
    agree = len({tuple(r) for r in answers.values()}) <= 1
    print(f"all variants agree: {agree}")


if __name__ == "__main__":
    main()
