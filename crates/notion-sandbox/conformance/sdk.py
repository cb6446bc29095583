"""Conformance of the sandbox with a second, independent client: the
community Python SDK `notion-client` (ramnes/notion-sdk-py, pinned in
requirements.txt).

    python sdk.py <path of the notion-sweep binary>

Starts `<binary> sandbox --port 0 --board FILE` on a board this script writes
(with a top-level "today" that pins the sandbox's clock), then makes the
calls an integration makes: databases, data sources, queries with filters,
sorts and pagination, pages (retrieve, update, create, property items),
blocks, comments, users and search, and runs into the errors the SDK
reports. Expected results come from the board written here and Notion's
documented rules, never from the sandbox's code. One line per check; exit
status 1 if any check failed. Standard library plus notion-client only.
"""

import datetime as dt
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from notion_client import APIErrorCode, APIResponseError, Client
from notion_client.helpers import (
    collect_paginated_api,
    is_full_block,
    is_full_data_source,
    is_full_database,
    is_full_page,
    is_full_user,
)

NOTION_VERSION = "2025-09-03"
DATABASE_ID = "5d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c5"
DATA_SOURCE_ID = "5d0c1e2f-3a4b-4c5d-8e6f-708192a3b4c6"
AS_OF = "2026-11-22"
STATUSES = ["Backlog", "To Do", "Doing", "Overdue", "Done"]
PRIORITIES = ["P1", "P0", "P3", "P2"]  # deliberately not in name order
ROWS = 240


def day(offset):
    return (dt.date.fromisoformat(AS_OF) + dt.timedelta(days=offset)).isoformat()


def utc_day(start):
    if len(start) == 10:
        return start
    return dt.datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(dt.timezone.utc).date().isoformat()


def page_id(i):
    return f"9b8a7c6d-5e4f-4a3b-9c2d-{i:012x}"


def make_board():
    rnd = random.Random(112026)
    pages = []
    zones = ["-08:00", "+09:00", "Z", "+02:00"]
    for i in range(ROWS):
        r = rnd.randrange(12)
        if r == 0:
            due = None
        elif r == 1:
            due = f"{day(rnd.randrange(-3, 3))}T{rnd.choice(['00:30', '22:45', '12:00'])}:00.000{rnd.choice(zones)}"
        else:
            due = day(rnd.randrange(-40, 41))
        created = dt.datetime(2026, 2, 1, 8, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i)
        stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        pages.append(
            {
                "id": page_id(i),
                "created_time": stamp,
                "last_edited_time": stamp,
                "in_trash": i % 53 == 7,
                "properties": {
                    "Title": f"Item {i}",
                    "State": rnd.choice(STATUSES),
                    "Priority": rnd.choice(PRIORITIES),
                    "Due": due,
                },
            }
        )
    return {
        "today": AS_OF,
        "databases": [
            {
                "id": DATABASE_ID,
                "title": "Python conformance",
                "data_sources": [
                    {
                        "id": DATA_SOURCE_ID,
                        "name": "Items",
                        "properties": [
                            {"name": "Title", "type": "title"},
                            {
                                "name": "State",
                                "type": "status",
                                "options": [{"name": s} for s in STATUSES],
                                "groups": [
                                    {"name": "To-do", "options": ["Backlog", "To Do"]},
                                    {"name": "In progress", "options": ["Doing", "Overdue"]},
                                    {"name": "Complete", "options": ["Done"]},
                                ],
                            },
                            {"name": "Priority", "type": "select", "options": [{"name": p} for p in PRIORITIES]},
                            {"name": "Due", "type": "date"},
                        ],
                        "pages": pages,
                    }
                ],
            }
        ],
    }


# ------------------------------------------------------------------ sandbox


def start_sandbox(binary, args):
    child = subprocess.Popen(
        [binary, "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out = ""
    deadline = time.time() + 10
    while time.time() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        out += line
        url = re.search(r"listening on (http://\S+)", out)
        token = re.search(r"Token:\s+(\S+)", out)
        if url and token:
            # keep draining stdout so the child never blocks on a full pipe
            threading.Thread(target=child.stdout.read, daemon=True).start()
            return child, url.group(1), token.group(1)
    child.kill()
    raise RuntimeError(f"the sandbox did not print its URL in 10 s\n{out}{child.stderr.read()}")


def stop_sandbox(child):
    if child is None or child.poll() is not None:
        return
    child.send_signal(signal.SIGINT)
    try:
        child.wait(3)
    except subprocess.TimeoutExpired:
        child.kill()


# ------------------------------------------------------------------- checks

failures = 0
count = 0


class Mismatch(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Mismatch(message)


def eq(actual, expected, what):
    a = json.dumps(actual, sort_keys=True)
    b = json.dumps(expected, sort_keys=True)
    expect(a == b, f"{what}: expected {b}, got {a}")


def check(name, fn):
    global failures, count
    count += 1
    try:
        fn()
        print(f"ok   {name}", flush=True)
    except Mismatch as e:
        failures += 1
        print(f"FAIL {name}: {e}", flush=True)
    except Exception as e:  # noqa: BLE001 - any other failure is reported too
        failures += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


def expect_error(call, status, code, what):
    try:
        call()
    except APIResponseError as e:
        eq(e.status, status, f"{what}: status")
        eq(getattr(e.code, "value", e.code), getattr(code, "value", code), f"{what}: code")
        expect(e.request_id, f"{what}: no request_id")
        body = json.loads(e.body)
        eq(body["object"], "error", f"{what}: body.object")
        return e
    raise Mismatch(f"{what}: the call succeeded, expected {status} {code}")


def title(page):
    return "".join(t["plain_text"] for t in page["properties"]["Title"]["title"])


def main():
    if len(sys.argv) != 2:
        print("usage: python sdk.py <path of the notion-sweep binary>", file=sys.stderr)
        sys.exit(2)
    binary = os.path.abspath(sys.argv[1])
    board = make_board()
    rows = board["databases"][0]["data_sources"][0]["pages"]
    live = [p for p in rows if not p["in_trash"]]
    started = time.time()
    child = None
    with tempfile.TemporaryDirectory(prefix="notion-sweep-conformance-py-") as tmp:
        board_file = os.path.join(tmp, "board.json")
        with open(board_file, "w") as f:
            json.dump(board, f)
        try:
            child, url, token = start_sandbox(binary, ["--board", board_file])
            print(f"sandbox at {url}; notion-client (Python) against it (Notion-Version {NOTION_VERSION})")
            notion = Client(auth=token, base_url=url, notion_version=NOTION_VERSION, log_level=logging.ERROR)
            run_checks(notion, url, live)
        except Exception as e:  # noqa: BLE001
            global failures
            failures += 1
            print(f"FAIL setup: {type(e).__name__}: {e}")
        finally:
            stop_sandbox(child)
    secs = time.time() - started
    if failures:
        print(f"conformance: {failures} of {count} checks FAILED against notion-client (Python) ({secs:.1f} s)")
        sys.exit(1)
    print(f"conformance: all {count} checks passed against notion-client (Python) ({secs:.1f} s)")


def run_checks(notion, url, live):
    schema = notion.data_sources.retrieve(data_source_id=DATA_SOURCE_ID)
    state_id = schema["properties"]["State"]["id"]

    def database_and_schema():
        db = notion.databases.retrieve(database_id=DATABASE_ID.replace("-", ""))
        expect(is_full_database(db), "is_full_database refused it")
        eq(db["data_sources"], [{"id": DATA_SOURCE_ID, "name": "Items"}], "data_sources")
        expect("properties" not in db, "a 2025-09-03 database has no properties")
        expect(is_full_data_source(schema), "is_full_data_source refused it")
        eq([o["name"] for o in schema["properties"]["State"]["status"]["options"]], STATUSES, "status options")
        eq(schema["properties"]["Title"]["id"], "title", "title id")

    check("databases.retrieve and data_sources.retrieve", database_and_schema)

    def paginate_everything():
        got = collect_paginated_api(notion.data_sources.query, data_source_id=DATA_SOURCE_ID, page_size=37)
        expect(all(is_full_page(p) for p in got), "a row is not a full page")
        eq(sorted(p["id"] for p in got), sorted(p["id"] for p in live), "every live row once")

    check(f"collect_paginated_api over data_sources.query: {len(live)} live rows", paginate_everything)

    def compound_filter():
        got = collect_paginated_api(
            notion.data_sources.query,
            data_source_id=DATA_SOURCE_ID,
            filter={
                "and": [
                    {"or": [{"property": "State", "status": {"equals": "To Do"}}, {"property": state_id, "status": {"equals": "Doing"}}]},
                    {"property": "Due", "date": {"before": AS_OF}},
                ]
            },
            sorts=[{"property": "Due", "direction": "descending"}],
        )
        want = [
            p["id"]
            for p in live
            if p["properties"]["State"] in ("To Do", "Doing") and p["properties"]["Due"] and utc_day(p["properties"]["Due"]) < AS_OF
        ]
        eq(sorted(p["id"] for p in got), sorted(want), "overdue rows")
        starts = [dt.datetime.fromisoformat(utc_start(p["properties"]["Due"]["date"]["start"])) for p in got]
        expect(all(a >= b for a, b in zip(starts, starts[1:])), "not sorted by Due descending")

    check("data_sources.query: and/or status filter with date before, sorted", compound_filter)

    def option_order():
        for prop, kind, order in [("Priority", "select", PRIORITIES), ("State", "status", STATUSES)]:
            got = collect_paginated_api(
                notion.data_sources.query,
                data_source_id=DATA_SOURCE_ID,
                sorts=[{"property": prop, "direction": "descending"}],
            )
            ranks = [order.index(p["properties"][prop][kind]["name"]) for p in got if p["properties"][prop][kind]]
            expect(all(a >= b for a, b in zip(ranks, ranks[1:])), f"{prop} descending is not by option order")

    check("select and status sort by option order (descending)", option_order)

    def relative_dates():
        today = dt.date.fromisoformat(AS_OF)
        monday = today - dt.timedelta(days=today.weekday())
        spans = {
            "past_week": (day(-7), AS_OF),
            "next_week": (AS_OF, day(7)),
            "this_week": (monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()),
            "next_month": (AS_OF, "2026-12-22"),
            "past_year": ("2025-11-22", AS_OF),
        }
        for op, (lo, hi) in spans.items():
            got = collect_paginated_api(
                notion.data_sources.query, data_source_id=DATA_SOURCE_ID, filter={"property": "Due", "date": {op: {}}}
            )
            want = [p["id"] for p in live if p["properties"]["Due"] and lo <= utc_day(p["properties"]["Due"]) <= hi]
            eq(sorted(p["id"] for p in got), sorted(want), op)

    check("relative date filters count from the board's today", relative_dates)

    target = next(p for p in live if p["properties"]["State"] == "To Do")

    def retrieve_and_update():
        page = notion.pages.retrieve(page_id=target["id"])
        eq(title(page), target["properties"]["Title"], "title")
        a = notion.pages.update(page_id=target["id"], properties={state_id: {"status": {"name": "Overdue"}}})
        b = notion.pages.update(page_id=target["id"], properties={"Priority": {"select": {"name": "P0"}}})
        eq(a["properties"]["State"]["status"]["name"], "Overdue", "status written")
        eq(b["properties"]["State"]["status"]["name"], "Overdue", "status kept")
        for p in (a, b):
            t = p["last_edited_time"]
            expect(t.startswith(AS_OF + "T") and t.endswith(":00.000Z"), f"last_edited_time {t}")
        gap = (parse(b["last_edited_time"]) - parse(a["last_edited_time"])).total_seconds()
        expect(gap in (0, 60), f"two writes moved last_edited_time by {gap} s")

    check("pages.retrieve, pages.update; last_edited_time is the current minute on the board's day", retrieve_and_update)

    def icon_cover_lock():
        cover = {"type": "external", "external": {"url": "https://example.com/c.png"}}
        p = notion.pages.update(page_id=target["id"], icon={"type": "emoji", "emoji": "🐍"}, cover=cover, is_locked=True)
        eq([p["icon"], p["cover"], p["is_locked"]], [{"type": "emoji", "emoji": "🐍"}, cover, True], "icon, cover, lock")
        expect_error(
            lambda: notion.pages.update(page_id=target["id"], properties={"State": {"status": {"name": "Done"}}}),
            400,
            APIErrorCode.ValidationError,
            "edit of a locked page",
        )
        p = notion.pages.update(page_id=target["id"], is_locked=False)
        eq(p["is_locked"], False, "unlocked")

    check("pages.update applies icon, cover and is_locked", icon_cover_lock)

    def strict_bodies():
        for path, method, body, key in [
            (f"data_sources/{DATA_SOURCE_ID}/query", "POST", {"sort": []}, "sort"),
            (f"pages/{target['id']}", "PATCH", {"propertys": {}}, "propertys"),
            ("search", "POST", {"query": "x", "filters": {}}, "filters"),
        ]:
            e = expect_error(lambda: notion.request(path=path, method=method, body=body), 400, APIErrorCode.ValidationError, key)
            expect(f"body.{key} should be not present" in str(e), f"{key}: message was {e}")

    check("strict bodies: unknown keys are refused", strict_bodies)

    def unsupported_and_auth():
        e = expect_error(lambda: notion.request(path="databases", method="POST", body={}), 400, APIErrorCode.InvalidRequest, "databases.create")
        expect("does not support" in str(e), f"message was {e}")
        wrong = Client(auth="ntn_wrong", base_url=url, log_level=logging.ERROR)
        expect_error(lambda: wrong.users.me(), 401, APIErrorCode.Unauthorized, "users.me with a wrong token")
        expect_error(lambda: wrong.request(path="no/such/url", method="GET"), 401, APIErrorCode.Unauthorized, "unknown URL with a wrong token")
        expect_error(lambda: notion.pages.retrieve(page_id=page_id(9999)), 404, APIErrorCode.ObjectNotFound, "unknown page")

    check("unsupported endpoints say so; a wrong token is 401 everywhere; 404 for an unknown page", unsupported_and_auth)

    def users():
        me = notion.users.me()
        expect(is_full_user(me) and me["type"] == "bot", f"users.me: {me}")
        everyone = collect_paginated_api(notion.users.list, page_size=1)
        expect(any(u["id"] == me["id"] for u in everyone), "the bot is not listed")
        eq(notion.users.retrieve(user_id=me["id"])["id"], me["id"], "users.retrieve")

    check("users.me, users.list, users.retrieve", users)

    def search():
        got = collect_paginated_api(notion.search, query="item 2", filter={"property": "object", "value": "page"})
        want = [p["id"] for p in live if "item 2" in p["properties"]["Title"].lower()]
        eq(sorted(p["id"] for p in got), sorted(want), "pages")
        sources = notion.search(filter={"property": "object", "value": "data_source"})
        expect(any(d["id"] == DATA_SOURCE_ID for d in sources["results"]), "the data source")

    check("search: pages by title, data sources by filter", search)

    created = {}

    def create():
        expect_error(
            lambda: notion.pages.create(parent={"data_source_id": DATA_SOURCE_ID}, properties={}),
            400,
            APIErrorCode.ValidationError,
            "no title",
        )
        page = notion.pages.create(
            parent={"data_source_id": DATA_SOURCE_ID},
            properties={
                "Title": {"title": [{"text": {"content": "Made in Python"}}]},
                "State": {"status": {"name": "Backlog"}},
                "Due": {"date": {"start": day(2)}},
            },
            children=[{"paragraph": {"rich_text": [{"text": {"content": "hello"}}]}}],
        )
        expect(is_full_page(page), "is_full_page refused it")
        eq(title(page), "Made in Python", "title")
        created["id"] = page["id"]
        item = notion.pages.properties.retrieve(page_id=page["id"], property_id="title")
        eq([item["object"], item["results"][0]["title"]["plain_text"]], ["list", "Made in Python"], "title item")
        state = notion.pages.properties.retrieve(page_id=page["id"], property_id=state_id)
        eq(state["status"]["name"], "Backlog", "status item")

    check("pages.create in the data source, pages.properties.retrieve", create)

    def blocks():
        added = notion.blocks.children.append(
            block_id=created["id"],
            children=[
                {"heading_1": {"rich_text": [{"text": {"content": "H"}}]}},
                {"to_do": {"rich_text": [{"text": {"content": "T"}}], "checked": True}},
            ],
        )
        eq([b["type"] for b in added["results"]], ["heading_1", "to_do"], "appended")
        listed = collect_paginated_api(notion.blocks.children.list, block_id=created["id"], page_size=2)
        expect(all(is_full_block(b) for b in listed), "is_full_block refused a block")
        eq([b["type"] for b in listed], ["paragraph", "heading_1", "to_do"], "children")

    check("blocks.children.append and .list", blocks)

    def comments():
        c = notion.comments.create(parent={"page_id": created["id"]}, rich_text=[{"text": {"content": "first"}}])
        # notion-client 3.1's is_full_comment looks for a `type` key, which
        # Notion's comment objects do not have; check the documented keys
        missing = [k for k in ("object", "id", "parent", "discussion_id", "created_time", "created_by", "rich_text") if k not in c]
        expect(not missing, f"comment lacks {missing}")
        notion.comments.create(discussion_id=c["discussion_id"], rich_text=[{"text": {"content": "second"}}])
        got = collect_paginated_api(notion.comments.list, block_id=created["id"])
        eq(["".join(t["plain_text"] for t in x["rich_text"]) for x in got], ["first", "second"], "comments")

    check("comments.create and comments.list", comments)


def utc_start(start):
    if len(start) == 10:
        return start + "T00:00:00+00:00"
    return start.replace("Z", "+00:00")


def parse(t):
    return dt.datetime.fromisoformat(t.replace("Z", "+00:00"))


if __name__ == "__main__":
    main()
