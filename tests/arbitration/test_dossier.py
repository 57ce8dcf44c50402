"""The case file: what it holds, that an independent tool (coreutils and OpenSSL) verifies
it, that a change is found, that the buyer's data is masked unless a permitted staff
member asks, and that every export is audited."""

import hashlib
import io
import json
import subprocess
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from arbitration.dossier import archive, signing
from arbitration.dossier.services import dossier_export
from arbitration.errors import NotAllowed
from arbitration.models import DisputeEvent
from arbitration.services.appeals import appeal_file
from evidence.models import Evidence

Actor = DisputeEvent.Actor
PHONE = "13812341234"  # the factories' buyer phone
ADDRESS = "上海市浦东新区世纪大道100号"


def unpack(data: bytes, where) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(where)
        return {name: z.read(name) for name in z.namelist()}


def independent_check(folder) -> tuple[bool, bool]:
    """(sums hold, signature holds), by coreutils and the OpenSSL command line only."""
    sums = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=folder, capture_output=True
    )
    signature = subprocess.run(
        [
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "public_key.pem", "-rawin",
            "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig",
        ],
        cwd=folder,
        capture_output=True,
    )  # fmt: skip
    return sums.returncode == 0, signature.returncode == 0


def test_the_case_file_holds_the_whole_dispute_and_openssl_verifies_it(
    decided_dispute, arbitrator, tmp_path
):
    name, data = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator)
    assert name == f"{decided_dispute.reference}-case-file.zip"
    files = unpack(data, tmp_path)
    assert {"case.json", "case.pdf", "SHA256SUMS", "SHA256SUMS.sig", "public_key.pem"} <= set(files)
    assert files["case.pdf"].startswith(b"%PDF-") and b"/Type /Page" in files["case.pdf"]
    case = json.loads(files["case.json"])
    assert case["dispute"]["reference"] == decided_dispute.reference
    assert case["decision"]["amount_fen"] == 4000 and case["decision"]["decided_by"] == "judge"
    actions = [e["action"] for e in case["timeline"]]
    assert actions[:1] == ["opened"] and "decide" in actions
    (photo,) = [e for e in case["evidence"] if e["role"] == "buyer"]
    stored = Evidence.objects.get(pk=photo["id"])
    assert photo["original"]["sha256"] == stored.sha256 and photo["original"]["intact"]
    with stored.safe_copy.open("rb") as handle:
        assert files[photo["file"]] == handle.read()  # masked: the copy without metadata
    assert hashlib.sha256(files["public_key.pem"]).hexdigest() == signing.key_id()
    assert independent_check(tmp_path) == (True, True)
    assert archive.verify(data).ok


def test_a_changed_file_or_changed_sums_are_found(decided_dispute, arbitrator, tmp_path):
    _, data = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator)
    unpack(data, tmp_path)
    case = tmp_path / "case.json"
    case.write_text(case.read_text().replace('"amount_fen": 4000', '"amount_fen": 9000'))
    assert independent_check(tmp_path) == (False, True)
    # A forger who also rewrites the sums breaks the signature instead.
    sums = tmp_path / "SHA256SUMS"
    digest = hashlib.sha256(case.read_bytes()).hexdigest()
    sums.write_text(
        "".join(
            f"{digest}  case.json\n" if line.endswith("  case.json") else f"{line}\n"
            for line in sums.read_text().splitlines()
        )
    )
    assert independent_check(tmp_path) == (True, False)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
            z.writestr(str(path.relative_to(tmp_path)), path.read_bytes())
    result = archive.verify(buf.getvalue())
    assert not result.ok and any("signature" in p for p in result.problems)


def test_the_buyers_personal_data_is_masked_unless_a_permitted_user_asks(
    decided_dispute, arbitrator, tmp_path
):
    _, masked = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator)
    text = zipfile.ZipFile(io.BytesIO(masked)).read("case.json").decode()
    assert PHONE not in text and ADDRESS not in text and "Li Lei" not in text
    assert "138****1234" in text

    with pytest.raises(NotAllowed):
        dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator, full=True)
    assert DisputeEvent.objects.filter(action="dossier_exported").count() == 1

    arbitrator.user_permissions.add(Permission.objects.get(codename="export_full_dossier"))
    arbitrator = type(arbitrator).objects.get(pk=arbitrator.pk)  # drop the permission cache
    _, full = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator, full=True)
    files = unpack(full, tmp_path)
    case = json.loads(files["case.json"])
    assert case["parties"]["buyer"]["phone"] == PHONE and PHONE in case["dispute"]["description"]
    (photo,) = [e for e in case["evidence"] if e["role"] == "buyer"]
    assert hashlib.sha256(files[photo["file"]]).hexdigest() == photo["original"]["sha256"]
    audit = list(
        DisputeEvent.objects.filter(action="dossier_exported").values_list(
            "actor", "actor_user__username", "payload__full"
        )
    )
    assert audit == [(Actor.ARBITRATOR, "judge", False), (Actor.ARBITRATOR, "judge", True)]
    assert independent_check(tmp_path) == (True, True)


def test_the_console_downloads_it_by_post_and_refuses_a_full_file_without_permission(
    client, decided_dispute, arbitrator
):
    client.force_login(arbitrator)
    url = reverse("admin:arbitration_dispute_case_file", args=[decided_dispute.pk])
    page = client.get(reverse("admin:arbitration_dispute_change", args=[decided_dispute.pk]))
    assert url in page.content.decode() and 'name="full"' not in page.content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert archive.verify(response.content).ok
    assert client.post(url, {"full": "1"}).status_code == 403
    assert DisputeEvent.objects.filter(action="dossier_exported").count() == 1


def test_the_verify_command_passes_a_good_file_and_names_what_changed(
    decided_dispute, arbitrator, tmp_path, capsys
):
    _, data = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator)
    good = tmp_path / "good.zip"
    good.write_bytes(data)
    call_command("verify_case_file", str(good))
    assert "intact" in capsys.readouterr().out

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body + b" " if item.filename == "case.pdf" else body)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_case_file", str(bad))
    assert exit_info.value.code == 1
    assert "case.pdf: changed" in capsys.readouterr().err


def test_an_appeal_and_its_outcome_are_in_the_case_file(decided_dispute, buyer, arbitrator):
    appeal = appeal_file(
        dispute=decided_dispute,
        party=buyer,
        statement=f"Please look again; call {PHONE}.",
        user=buyer.user,
    )
    _, data = dossier_export(decided_dispute, actor=Actor.ARBITRATOR, user=arbitrator)
    case = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("case.json"))
    (filed,) = case["appeals"]
    assert (filed["id"], filed["side"], filed["status"]) == (appeal.pk, "buyer", appeal.status)
    assert PHONE not in filed["statement"] and "138****1234" in filed["statement"]
    assert "appeal_filed" in [e["action"] for e in case["timeline"]]
