"""Reading /metrics in tests."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-tests"


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return response.content.decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted label items): value}``."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def increase(before: dict, after: dict) -> dict[str, int]:
    """How much each outcome's count (the first value of its tuple) rose between two readings
    ``{outcome: (count, ...)}``; outcomes that didn't change are left out."""
    return {
        outcome: int(after[outcome][0] - before[outcome][0])
        for outcome in before
        if after[outcome][0] != before[outcome][0]
    }
