"""``[clearinghouse.<name>]``: every key checked, errors naming file and key; pilot scope."""

from __future__ import annotations

from typing import Any

import pytest

from ptrcm.config import default_document, parse_config
from ptrcm.errors import ConfigError

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx8yq4nEw0yN1jHzoH2h1mJb7z7kQ0c9n0mJm2j3h4k extra"


def _section(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": "sftp.example.test", "user": "clinic", "key_file": "/keys/id_ed25519",
        "host_key": KEY, "outbound": "/to-payer", "inbound": "/from-payer", "done": "/done",
        "failed": "/failed",
    }  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def _parse(section: dict[str, Any], name: str = "ACME") -> Any:
    doc = default_document()
    doc["clearinghouse"] = {name: section}
    return parse_config(doc, "ptrcm.toml")


def test_a_connector_with_defaults_and_a_pilot() -> None:
    config = _parse(
        _section(locations=["MAIN"], payers=["MEDICARE"], file_name="{connector}_{name}")
    )
    c = config.clearinghouses["ACME"]
    assert (c.port, c.poll_minutes, c.host_key) == (22, 15, " ".join(KEY.split()[:2]))
    assert c.remote_name("MEDICARE-000000001.837", "ab" * 32) == "ACME_MEDICARE-000000001.837"
    assert c.covers("MEDICARE", "MAIN") and not c.covers("MEDICARE", "EAST")
    assert not c.covers("COMMERCIAL", "MAIN") and not c.covers("MEDICARE", None)
    everything = _parse(_section()).clearinghouses["ACME"]
    assert everything.covers("COMMERCIAL", None)


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"hostname": "x"}, "clearinghouse.ACME.hostname", "unknown key"),
        ({"host": None}, "clearinghouse.ACME.host", "is required"),
        ({"port": 0}, "clearinghouse.ACME.port", "from 1 to 65535"),
        ({"port": "22"}, "clearinghouse.ACME.port", "whole number"),
        ({"poll_minutes": 2000}, "clearinghouse.ACME.poll_minutes", "from 1 to 1440"),
        ({"host_key": "AAAA"}, "clearinghouse.ACME.host_key", "OpenSSH public key"),
        ({"payers": "MEDICARE"}, "clearinghouse.ACME.payers", "list of non-empty strings"),
        ({"file_name": "{date}_{name}"}, "clearinghouse.ACME.file_name", "must contain {name}"),
        ({"file_name": "batch.837"}, "clearinghouse.ACME.file_name", "must contain {name}"),
    ],
)
def test_a_bad_value_names_file_and_key(changes: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(_section(**changes))
    message = str(caught.value)
    assert "ptrcm.toml" in message and key in message and words in message
    assert "\n" not in message


def test_a_bad_connector_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="letters, digits"):
        _parse(_section(), name="acme house")
