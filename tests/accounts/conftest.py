import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Parties come with a login; the real hasher's deliberate slowness would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
