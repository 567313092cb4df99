"""The README's metric table names every metric /metrics serves."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.celery_worker import ROOT
from tests.monitoring.helpers import TOKEN, scrape

pytestmark = pytest.mark.django_db


def test_every_orgkeeper_metric_is_in_the_readme(client, settings, team):
    settings.METRICS_TOKEN = TOKEN
    client.get("/api/v1/unknown/")  # so the API metrics have samples
    readme = (ROOT / "README.md").read_text()
    names = {
        family.name
        for family in text_string_to_metric_families(scrape(client))
        if family.name.startswith("orgkeeper_")
    }
    assert len(names) >= 9
    for name in names:
        exposed = f"{name}_total" if f"`{name}_total`" in readme else name
        assert f"`{exposed}`" in readme, name
