"""wrk, driven by bench/run.py: the data files that bench/lua/rotate.lua and choice.lua
rotate over (a request per learner or attempt), one wrk run, and the runs of one
target combined into a table row."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import urllib.parse
from pathlib import Path

from bench.harness import BENCH, DATA, die

LUA = BENCH / "lua" / "rotate.lua"
CHOICE_LUA = BENCH / "lua" / "choice.lua"  # the same, counting 422 (overtaken) answers apart


def lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_wrk_data(name: str, method: str, items: list[dict]) -> Path:
    out = [f"return {{ method = {lua_str(method)}, items = {{"]
    for it in items:
        hdrs = ", ".join(f"[{lua_str(k)}] = {lua_str(v)}" for k, v in it["headers"].items())
        line = f"  {{ path = {lua_str(it['path'])}, headers = {{ {hdrs} }}"
        if it.get("bodies"):
            line += ", bodies = { " + ", ".join(lua_str(b) for b in it["bodies"]) + " }"
        out.append(line + " },")
    out.append("} }")
    path = DATA / f"wrk-{name}.lua"
    path.write_text("\n".join(out) + "\n")
    return path


def choice_items(port: int, attempts: list[dict]) -> list[dict]:
    """The choice POST target: per in-progress attempt, the rest of its planned path
    from its next unchosen option, read from the database. Rebuilt before every wrk
    run of the target: a run picks up where the app's data is, so warm-ups and later
    rounds post fresh choices, and a request lost when wrk stopped is sent again
    rather than skipped (its successor would be out of order). If the database is
    behind (a request still in flight), that option goes again: a repeat, answered 200."""
    from django.db import connections
    from django.db.models import Count

    from bench.inprocess import as_sent
    from trainer.models import Choice

    ids = [c["attempt"] for c in attempts]
    stored = dict(Choice.objects.filter(attempt_id__in=ids).values_list("attempt_id").annotate(n=Count("pk")))
    connections.close_all()
    items = []
    for c in attempts:
        made = stored.get(c["attempt"], c["done"])
        rest = c["remaining"][made - c["done"]:] or c["remaining"][-1:]  # finished: its last option repeats
        items.append({
            "path": f"/attempts/{c['attempt']}/choose/",
            "headers": {
                "Cookie": cookie_of(c), "X-CSRFToken": c["csrf"], "HX-Request": "true",
                "HX-Request-Type": "partial", "HX-Current-URL": f"http://127.0.0.1:{port}/attempts/{c['attempt']}/",
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html",
            },
            # As the page sends it: `shown` counts the choices already on the page.
            "bodies": [urllib.parse.urlencode({"option": as_sent(c["attempt"], o), "shown": made + k}) for k, o in enumerate(rest)],
        })
    return items


def cookie_of(cred: dict) -> str:
    return f"sessionid={cred['session']}; csrftoken={cred['csrf']}"


def run_wrk(port: int, datafile: Path, conc: int, duration: float, threads: int = 2) -> dict:
    threads = max(1, min(threads, conc))
    cmd = [
        "wrk", f"-t{threads}", f"-c{conc}", f"-d{max(1, round(duration))}s", "--timeout", "30s", "--latency",
        "-s", str(CHOICE_LUA if datafile.name == "wrk-choice.lua" else LUA), f"http://127.0.0.1:{port}",
        "--", str(datafile), str(threads),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 90)
    m = re.search(r"^BENCHJSON (\{.*\})$", res.stdout, re.M)
    if res.returncode != 0 or not m:
        die(f"wrk failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    # A choice refused because a stalled earlier one on the same attempt had not
    # arrived yet is the client's reordering (bench/lua/choice.lua), reported apart.
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] - r["overtaken"] + r["timeout"]
    r["conc"] = conc
    return r


def combine(runs: list[dict]) -> dict:
    """Several wrk runs of one target as one row: req/s over the summed time,
    latency percentiles as the median across runs; the runs kept for ratios."""
    if len(runs) == 1:
        return {**runs[0], "rounds": runs}
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    total = sum(r["requests"] for r in runs)
    dur = sum(r["duration_us"] for r in runs)
    return {
        "requests": total, "duration_us": dur, "rps": total / (dur / 1e6), "conc": runs[0]["conc"],
        "errors": sum(r["errors"] for r in runs), "overtaken": sum(r["overtaken"] for r in runs), "p50": med("p50"), "p90": med("p90"), "p95": med("p95"),
        "p99": med("p99"), "mean": med("mean"), "max": max(r["max"] for r in runs), "rounds": runs,
    }


def stalled(r: dict) -> bool:
    """At 200 connections every request queues about as long as the others (p95 of a
    clean bare-view round: ~1.4 x its median); a p95 far above the median is a stall.
    So is a round in which no answer arrived at all (wrk then reports a p95 of 0): a short
    round on a busy host (`--duration 4`) did that and the p95 ratio divided by zero."""
    return r["p95"] <= 0 or (r["p95"] > 100_000 and r["p95"] > 4 * r["p50"])


def round_ratio(a: dict, b: dict, key: str) -> float:
    """Median over alternated rounds of a[key]/b[key] (rounds paired in order)."""
    return statistics.median(x[key] / y[key] for x, y in zip(a["rounds"], b["rounds"]))
