"""The demo data has a watch-tier buyer with reasons and a pending appeal, once."""

from io import StringIO

from django.core.management import call_command

from accounts.models import CreditAppeal, CreditEvent, CreditTier, Party


def test_the_demo_has_a_watch_tier_buyer_with_reasons_and_a_pending_appeal(tmp_path, db):
    logins = str(tmp_path / "logins.txt")
    call_command("seed_demo", logins_file=logins, stdout=StringIO())
    call_command("seed_demo", logins_file=logins, stdout=StringIO())

    watched = Party.objects.get(external_id="demo-buyer2")
    assert watched.credit_tier == CreditTier.WATCH
    assert set(watched.credit_events.values_list("kind", flat=True)) == {
        CreditEvent.Kind.CLAIM_DENIED,
        CreditEvent.Kind.REPORT_UPHELD,
    }
    appeal = CreditAppeal.objects.get()
    assert (appeal.party, appeal.status) == (watched, CreditAppeal.Status.PENDING)
    assert appeal.event.kind == CreditEvent.Kind.REPORT_UPHELD
