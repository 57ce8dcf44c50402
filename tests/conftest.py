"""Named actors shared by the whole suite: a buyer, a merchant, an arbitrator, an outsider."""

import io

import pytest
from PIL import Image

from accounts.models import Party
from arbitration import services
from evidence.models import Evidence
from tests.factories import OrderFactory, PartyFactory, PlatformFactory, UserFactory
from tests.fixtures.receiver import Receiver

# Real Celery worker processes (``worker``, ``start_worker``) and a private Redis that a test
# may stop (``private_broker``), for the modules that need them.
pytest_plugins = ["tests.worker", "tests.fixtures.redis_server"]


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Evidence files go to a per-test folder, never the developer's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture(autouse=True, scope="session")
def _private_task_queue():
    """Tasks the suite sends go to a queue no developer's ``make run`` worker listens on,
    even when both share one Redis."""
    from arbitration.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = "tianping-tests"
    yield
    app.conf.task_default_queue = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every actor has a login; the real hasher's deliberate slowness would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """A fresh in-process cache per test: rate-limit counters never leak between tests, and
    the suite never flushes the Redis database the Celery broker shares."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def receiver():
    """A webhook receiver listening on 127.0.0.1 for the test's length."""
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def platform(db):
    return PlatformFactory()


@pytest.fixture
def buyer(platform):
    return PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name="Li Lei")


@pytest.fixture
def merchant(platform):
    return PartyFactory(
        platform=platform, kind=Party.Kind.MERCHANT, display_name="Good Mugs Store", phone=""
    )


@pytest.fixture
def outsider(platform):
    """Another buyer on the same platform with a dispute of their own."""
    return PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name="Han Meimei")


@pytest.fixture
def arbitrator(db):
    return UserFactory(username="judge", is_arbitrator=True, is_staff=True)


@pytest.fixture
def order(buyer, merchant):
    return OrderFactory(buyer=buyer, merchant=merchant, amount_fen=10000)


def jpeg_upload(name="photo.jpg", size=(64, 48), color=(180, 40, 40)):
    """A small real JPEG as an uploaded file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=90)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photo():
    return jpeg_upload()


@pytest.fixture
def dispute(order, buyer):
    """A damaged-item claim, submitted and waiting on the merchant."""
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="The mug arrived cracked.",
        files=[jpeg_upload()],
        user=buyer.user,
    )


@pytest.fixture
def decided_dispute(dispute, buyer, merchant, arbitrator):
    """A decided partial refund whose buyer wrote her phone number into the claim."""
    merchant.address = "景德镇市珠山区"  # the factories give both parties one address
    merchant.save(update_fields=["address"])
    dispute.description = "The mug arrived cracked. Call me on 13812341234."
    dispute.save(update_fields=["description"])
    services.dispute_escalate(dispute=dispute, party=buyer)
    evidence = list(Evidence.objects.filter(dispute=dispute))
    services.dispute_decide(
        dispute=dispute,
        user=arbitrator,
        outcome="partial_refund",
        amount_fen=4000,
        reasoning="The photo shows a crack; the mug still holds water.",
        evidence_ids=[e.pk for e in evidence],
    )
    return dispute
