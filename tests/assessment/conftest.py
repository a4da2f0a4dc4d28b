import pytest

from apps.core import metrics
from apps.core.metrics import Metric


@pytest.fixture
def problem_metric(db):
    """A test metric: problem items found in the period per organization (own rows, one GROUP BY)."""
    from django.db.models import Count

    from apps.responsibility.models import ProblemItem

    def source(*, root_path, start, end):
        rows = (
            ProblemItem.objects.filter(org_path__startswith=root_path, found_on__range=(start, end))
            .values("org_path")
            .annotate(n=Count("id"))
        )
        return {r["org_path"]: (r["n"], 1) for r in rows}

    metric = Metric(
        name="test.problems", label="发现问题数", unit="条", kind="count", source=source, higher_is_better=False,
        link=lambda org, start, end: f"/responsibility/problems/?org={org.code}",
    )  # fmt: skip
    metrics.register_metric(metric)
    yield metric
    metrics._METRICS.pop(metric.name, None)


@pytest.fixture
def rate_metric(db):
    """A test rate metric whose own figures a test sets: {path: (numerator, denominator)}."""
    figures: dict = {}

    def source(*, root_path, start, end):
        return {p: v for p, v in figures.items() if p.startswith(root_path)}

    metric = Metric(name="test.rate", label="按时提交率", unit="%", kind="rate", source=source)
    metrics.register_metric(metric)
    yield figures
    metrics._METRICS.pop(metric.name, None)
