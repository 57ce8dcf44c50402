import pytest


@pytest.fixture(autouse=True)
def _addresses(buyer, merchant, settings):
    """Both parties can be e-mailed; mail goes to Django's test outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for party, address in ((buyer, "lilei@example.com"), (merchant, "shop@example.com")):
        party.user.email = address
        party.user.save(update_fields=["email"])


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
