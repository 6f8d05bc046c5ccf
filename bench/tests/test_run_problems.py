"""report_runs.run_problems: which row-count mismatches break the contract under load."""

from bench.report_runs import run_problems


def run(before: int, created: int, after: int, unanswered: int) -> dict:
    return {
        "server_errors": 0,
        "socket_errors": 0,
        "statuses": {201: created},
        "unanswered": unanswered,
        "count": {
            "before": before,
            "after": after,
            "created_201": created,
            "ok": after == before + created,
            "exact": unanswered == 0,
        },
    }


def breaches(x: dict) -> list[bool]:
    return [breach for _, breach in run_problems(x)]


def test_matching_rows_are_no_problem():
    assert run_problems(run(10_000, 226, 10_226, 0)) == []


def test_a_row_written_by_an_unanswered_request_is_reported_not_a_breach():
    assert breaches(run(10_000, 226, 10_227, 2)) == [False]


def test_more_extra_rows_than_unanswered_requests_is_a_breach():
    assert breaches(run(10_000, 226, 10_229, 2)) == [True]


def test_a_lost_row_is_a_breach_even_with_unanswered_requests():
    assert breaches(run(10_000, 226, 10_225, 2)) == [True]
