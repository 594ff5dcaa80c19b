"""``EventDoctor`` and the CLI's event files, without a server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from pinkit.cli._common import BadInput
from pinkit.cli._conversions_io import EventFile
from pinkit.conversions import UnreadableEvent, sha256_hex
from pinkit.conversions._doctor import EventDoctor, user_agent_problem

NOW = int(time.time())


@pytest.mark.parametrize(
    ("agent", "counted"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile Safari/604.1",
            True,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0",
            True,
        ),
        ("Pinterest for Android/12.20 (SM-G991B; 13)", True),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", False),
        ("python-requests/2.32.3", False),
        ("Other", False),
        ("", False),
        ("Mozilla/5.0", False),
    ],
)
def test_user_agents(agent: str, counted: bool) -> None:
    assert (user_agent_problem(agent) is None) is counted


def test_findings_count_and_give_lines() -> None:
    doctor = EventDoctor(NOW)
    base: dict[str, Any] = {
        "event_name": "lead", "action_source": "web", "event_time": NOW - 10,
        "event_id": "e", "user_data": {"em": "a@example.com", "external_id": "x", "click_id": "c"},
    }  # fmt: skip
    for line in range(2, 12):
        doctor.add(line, dict(base, event_id=f"e{line}"))
    doctor.add(12, dict(base, event_id="e2"))  # a duplicate
    doctor.add(13, UnreadableEvent("column num_items is not an integer"))
    doctor.add(14, dict(base, event_id="h", user_data={"em": sha256_hex("b@example.com")}))
    found = {f.check: f for f in doctor.findings()}
    assert found["duplicate_event_id"].lines == [12]
    assert found["unreadable"].message == "cannot be read: column num_items is not an integer"
    assert found["mixed_hashing"].events == 1 and found["mixed_hashing"].lines == [14]
    assert found["missing_external_id"].lines == [14]
    coverage = doctor.coverage()
    assert coverage["hashed_email"]["LEAD"] == 100.0
    assert coverage["click_id_epik"]["LEAD"] == round(100 * 11 / 12, 1)


def test_csv_cells_become_typed_fields(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "Event_Name, action_source ,event_time,event_id,em,opt_out,num_items,contents,content_ids\n"
        'checkout,web,2026-12-01T10:00:00Z,e1,a@x.com|b@y.com,yes,2,"[{""quantity"": 1}]",a|b\n'
        "\n"
        "checkout,web,1767225600,e2,c@x.com,maybe,,,\n"
        "checkout,web,1767225600,e3,d@x.com,,,,,extra\n"
    )
    source = EventFile(str(path))
    items = list(source.items())
    assert [line for line, _ in items] == [2, 4, 5]
    first = items[0][1]
    assert first["event_time"] == 1796119200 and first["user_data"]["em"] == ["a@x.com", "b@y.com"]
    assert first["opt_out"] is True
    assert first["custom_data"] == {
        "num_items": 2,
        "contents": [{"quantity": 1}],
        "content_ids": ["a", "b"],
    }
    assert isinstance(items[1][1], UnreadableEvent)
    assert items[1][1].reason == "column opt_out is not true or false"
    assert items[2][1].reason == "the row has more cells than the header"
    assert [source.line_of(i) for i in range(3)] == [2, 4, 5]


def test_files_that_are_not_event_files(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("x")
    with pytest.raises(BadInput, match=r"is \.csv or \.jsonl"):
        EventFile(str(tmp_path / "e.txt"))
    (tmp_path / "e.csv").write_text("event_name,emial\n")
    with pytest.raises(BadInput, match="unknown column 'emial'"):
        list(EventFile(str(tmp_path / "e.csv")).items())
    (tmp_path / "e.jsonl").write_text(json.dumps([1]) + "\n\n" + json.dumps({"a": 1}) + "\n")
    items = list(EventFile(str(tmp_path / "e.jsonl")).items())
    assert [line for line, _ in items] == [1, 3]
    assert items[0][1].reason == "the line is not a JSON object" and items[1][1] == {"a": 1}
