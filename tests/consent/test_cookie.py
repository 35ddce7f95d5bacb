"""The consent cookie's format: what is read as a choice, and what is refused as unreadable."""

from types import SimpleNamespace

import pytest

from consent import cookie

VALID = "v=3&t=1750560000&analytics=1&marketing=0&functional=1"


def test_a_choice_round_trips_through_its_cookie_value():
    choice = cookie.Choice.of(3, {"analytics", "functional"}, time=1750560000)
    assert choice.serialize() == VALID
    assert cookie.parse(VALID) == choice
    assert choice.refused == {"marketing"}
    assert choice.allows("essential") and not choice.allows("marketing")


def test_a_choice_with_its_consent_id_round_trips():
    consent_id = "0123456789abcdef0123456789abcdef"
    choice = cookie.Choice.of(3, {"analytics"}, time=1750560000, consent_id=consent_id)
    assert (
        choice.serialize()
        == f"v=3&t=1750560000&analytics=1&marketing=0&functional=0&id={consent_id}"
    )
    assert cookie.parse(choice.serialize()) == choice


UNREADABLE = [
    "",
    "garbage",
    "v=3",
    VALID.replace("analytics=1", "analytics=yes"),
    VALID.replace("v=3", "v=0"),
    VALID.replace("v=3", "v=-3"),
    VALID.replace("v=3", "v=03"),
    VALID.replace("t=1750560000", "t="),
    VALID.replace("t=1750560000", "t=1e9"),
    VALID.replace("t=1750560000", "t=999999999999999999999"),
    VALID + "&analytics=0",  # repeated field
    VALID + "&extra=1",  # unknown field
    VALID + "&id=0123456789ABCDEF0123456789ABCDEF",  # the consent id is lowercase hex
    VALID + "&id=0123456789abcdef",  # of 32 digits
    "id=0123456789abcdef0123456789abcdef&" + VALID,  # and comes last
    VALID.replace("&functional=1", ""),  # missing field
    VALID.replace("&", ";"),
    VALID.replace("=", "%3D"),
    "v=3&t=1&analytics=1&marketing=0&functional",
    "&" + VALID,
    VALID + "&",
    VALID + "&x" * 100,  # too long
    "v=3&t=1750560000&analytics=1&marketing=0&functional=1\x00",
]


@pytest.mark.parametrize("value", UNREADABLE)
def test_anything_but_the_exact_format_is_unreadable(value):
    assert cookie.parse(value) is None


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        (["_ga"], "_ga", True),
        (["_ga"], "_ga_ABC", False),
        (["_ga*"], "_ga_ABC", True),
        (["_ga*"], "_gid", False),
        ([], "_ga", False),
    ],
)
def test_cookie_names_match_exactly_or_by_prefix(patterns, name, expected):
    assert cookie.matches(name, patterns) is expected


def test_a_choice_for_a_later_version_than_the_page_is_valid_and_an_earlier_one_outdated():
    # A page served from a cache carries an older policy version than the reader's choice.
    request = SimpleNamespace(COOKIES={cookie.COOKIE_NAME: VALID})  # v=3
    assert cookie.read(request, 2).status == cookie.Status.VALID
    assert cookie.read(request, 2).choice.version == 3
    assert cookie.read(request, 3).status == cookie.Status.VALID
    assert cookie.read(request, 4).status == cookie.Status.OUTDATED
    assert cookie.read(request, 4).choice is None
