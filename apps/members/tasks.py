from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def member_import_task(job_id: int) -> str:
    from .imports import member_import_job_run

    return member_import_job_run(job_id=job_id).status
