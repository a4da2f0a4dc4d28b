from django.db import migrations


def forwards(apps, schema_editor):
    from apps.supervision.choices import LETTER_DEFAULT_TEMPLATES
    from apps.supervision.schedule import install_default_schedule

    LetterTemplate = apps.get_model("supervision", "LetterTemplate")
    for kind, (title, body) in LETTER_DEFAULT_TEMPLATES.items():
        if not LetterTemplate.objects.filter(issuer__isnull=True, kind=kind.value).exists():
            LetterTemplate.objects.create(issuer=None, kind=kind.value, title=title, body=body)
    install_default_schedule(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
