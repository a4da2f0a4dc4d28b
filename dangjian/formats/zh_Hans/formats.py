"""zh-hans number grouping as the documents and reports read it: 2,165,500.00 (docs/ui.md: money with a
thousands separator). Django's own zh_Hans leaves the separator empty, so ``intcomma`` printed 2165500.00.
Only what differs is here; dates and input formats come from Django's zh_Hans module."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
