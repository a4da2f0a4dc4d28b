"""The roster import (党员名册导入), one module per step: ``files`` (checks and reading), ``rows`` (columns and
row cleaning), ``write`` (matching and the atomic write: ``member_import``), ``jobs`` (history, preview,
confirm, error report), plus its ``models`` (MemberImportJob, a model of the members app), ``views`` and ``urls``.

Nothing is imported here, so that ``apps.members.models`` can load ``roster_import.models`` during app loading.
"""
