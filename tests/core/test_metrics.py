from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.core import metrics
from apps.core.metrics import Metric, common_root, metric_values, rollup


def test_common_root_of_siblings_is_their_parent():
    assert common_root(["/1/7/42/", "/1/7/43/"]) == "/1/7/"
    assert common_root(["/1/7/", "/1/70/"]) == "/1/"
    assert common_root(["/1/", "/2/"]) == "/"


def test_rollup_sums_own_figures_over_each_subtree_only():
    own = {"/1/": (1, 1), "/1/7/": (2, 4), "/1/7/42/": (3, 5), "/1/70/": (10, 10)}
    totals = rollup(own, targets=[1, 7, 70, 42])
    assert totals[1] == (16, 20)
    assert totals[7] == (5, 9)  # /1/70/ is not under /1/7/
    assert totals[70] == (10, 10)
    assert totals[42] == (3, 5)


@pytest.fixture
def rate_metric():
    calls = []

    def source(*, root_path, start, end):
        calls.append(root_path)
        return {"/1/7/": (1, 2), "/1/7/42/": (1, 2), "/1/8/": (0, 0)}

    metric = Metric(name="test.rate", label="测试比率", unit="%", kind="rate", source=source)
    metrics.register_metric(metric)
    yield calls
    metrics._METRICS.pop("test.rate")


def test_rate_over_a_subtree_is_sum_over_sum_and_none_without_base(rate_metric):
    orgs = [SimpleNamespace(id=7, path="/1/7/"), SimpleNamespace(id=8, path="/1/8/")]
    values = metric_values("test.rate", organizations=orgs, start=None, end=None)
    assert rate_metric == ["/1/"]
    assert values[7].value == Decimal("0.5")
    assert values[7].percent == Decimal("50.0")
    assert values[8].value is None
    own_only = metric_values("test.rate", organizations=orgs[:1], start=None, end=None, subtree=False)
    assert own_only[7].numerator == 1 and own_only[7].denominator == 2


def test_unknown_metric_name_is_refused():
    with pytest.raises(KeyError):
        metrics.get_metric("nope.nothing")
