"""The load generators report what they measured; wrk's summary is read correctly."""

from bench import loadgen

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40123/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  420.11us   9.87ms   80.12%
    Req/Sec     3.27k   210.00     3.80k    70.00%
  Latency Distribution
     50%  1.49ms
     75%    1.70ms
     90%    2.01ms
     99%  850.00us
  65080 requests in 10.01s, 11.23MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   6501.50
Transfer/sec:      1.12MB
"""


def test_wrk_summary_gives_rate_percentiles_in_ms_and_errors():
    result = loadgen.parse_wrk(WRK_OUTPUT)
    assert result.tool == "wrk"
    assert result.requests == 65080
    assert result.duration_s == 10.01
    assert result.rps == 6501.50
    assert result.p50_ms == 1.49
    assert result.p99_ms == 0.85
    assert result.errors == 3 + 1 + 2


def test_unreadable_wrk_output_is_an_error_not_a_zero():
    import pytest

    with pytest.raises(ValueError, match="unexpected wrk output"):
        loadgen.parse_wrk("wrk: connection refused\n")


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert loadgen.percentile(values, 50) == 50.0
    assert loadgen.percentile(values, 99) == 99.0
    assert loadgen.percentile([7.0], 99) == 7.0
    assert loadgen.percentile([], 50) == 0.0
