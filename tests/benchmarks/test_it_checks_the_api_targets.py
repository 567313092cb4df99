"""The API benchmark's throughput target (issue 12 §6: access-token / bare ≥ 0.5) is on the
median of its (access-token, bare) pairs; an error answer in any run misses it."""

from benchmarks import report
from benchmarks.api import ApiResult
from benchmarks.load import LoadResult


def run(rps: float, errors: int = 0) -> LoadResult:
    requests = int(rps * 20)
    return LoadResult(requests, 20.0, {200: requests - errors, 500: errors}, [10.0] * 3)


def result(*pairs: tuple[float, float], errors: int = 0) -> ApiResult:
    (token, bare), *more = pairs
    return ApiResult(
        run(token, errors),
        run(bare),
        stampede_token_calls=1,
        stampede_errors=0,
        stampede_versions={2},
        direct=run(100),
        proxied=run(100),
        load_before=(0.1, 0.1, 0.1),
        load_after=(1.0, 1.0, 1.0),
        cpu_ms={},
        more_pairs=[(run(t), run(b)) for t, b in more],
    )


def verdict(api: ApiResult) -> str:
    return next(row[3] for row in report.api_rows(api) if row[0].startswith("API ratio"))


def test_one_slow_pair_doesnt_decide_it():
    api = result((400, 1000), (700, 1000), (650, 1000))  # 0.40, 0.70, 0.65

    assert api.ratio == 0.65 and verdict(api) == "ok"


def test_two_pairs_under_half_miss_it():
    assert verdict(result((400, 1000), (450, 1000), (650, 1000))) == "MISSED"


def test_an_error_answer_misses_it():
    assert verdict(result((700, 1000), (700, 1000), (700, 1000), errors=1)) == "MISSED"
