from unittest.mock import patch

from accounts.models import Team


def test_it_numbers_the_slugs_of_teams_with_the_same_name(db):
    first, second = Team.objects.create(name="Acme"), Team.objects.create(name="ACME!")
    assert (first.slug, second.slug) == ("acme", "acme-2")


def test_it_falls_back_to_team_for_a_name_without_latin_letters(db):
    assert Team.objects.create(name="日本チーム").slug == "team"


def test_it_does_not_end_a_truncated_slug_with_a_hyphen(db):
    team = Team.objects.create(name="a" * 49 + " b")
    assert team.slug == "a" * 49


def test_it_retries_when_another_team_takes_the_slug_first(db):
    """Two teams with the same name created at once: the other one commits "acme" after our
    check saw it free. We pick the next free slug instead of failing on the unique constraint."""
    other = Team.objects.create(name="Acme")
    check = Team.unique_slug
    stale = iter(["acme"])  # what our check saw before the other team committed

    with patch.object(
        Team, "unique_slug", side_effect=lambda name: next(stale, None) or check(name)
    ):
        team = Team.objects.create(name="Acme")

    assert (other.slug, team.slug) == ("acme", "acme-2")
