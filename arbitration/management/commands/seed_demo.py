"""Demo data for `make run`: a platform, its people, orders and disputes in every state.

Everything after the orders themselves goes through the services (``dispute_open``,
``offer_make``, ``dispute_decide`` ...), so the demo has the same audit trail, evidence
copies and deadlines as real use. Running it again changes nothing and prints the logins.
"""

import secrets
import string
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import CreditEvent, MerchantReport, Party, Platform, User
from accounts.services import credit_appeal_file, merchant_report_review
from arbitration import services
from arbitration.management.demo_images import product_photo, with_stain
from arbitration.models import Dispute, Order, Refund
from arbitration.tasks import execute_refund
from evidence.models import Evidence
from evidence.services import evidence_add

PLATFORM_SLUG = "tianping-demo"
PLATFORM_NAME = "天平演示商城 · Tianping Demo Mall"
URL = "http://127.0.0.1:8000/"
USERS = ("buyer", "buyer2", "merchant", "arbitrator")
# username: (kind, display name, phone, address, city); phones and addresses are encrypted.
PEOPLE = {
    "buyer": (
        Party.Kind.BUYER,
        "李雷",
        "13812345678",
        "上海市浦东新区世纪大道100号2栋1203室",
        "上海",
    ),
    "buyer2": (Party.Kind.BUYER, "韩梅梅", "13987654321", "浙江省杭州市西湖区文三路90号", "杭州"),
    "merchant": (Party.Kind.MERCHANT, "景德镇好物旗舰店", "", "", "景德镇"),
}


@dataclass(frozen=True)
class DemoOrder:
    number: str
    title: str
    product: str
    yuan: str
    buyer: str = "buyer"
    photos: int = 1
    story: str = ""
    days_ago: int = 6


ORDERS = (
    DemoOrder(
        "DM-240501",
        "景德镇手绘青花陶瓷马克杯 350ml",
        "mug",
        "89.00",
        photos=2,
        story="awaiting_merchant",
    ),
    DemoOrder("DM-240502", "新疆长绒棉男士纯白短袖T恤 XL", "shirt", "129.00", story="negotiating"),
    DemoOrder(
        "DM-240503", "iPhone 15 Pro 透明磁吸防摔手机壳", "phone_case", "39.90", story="under_review"
    ),
    DemoOrder(
        "DM-240504", "北欧风釉下彩陶瓷餐盘 四件套", "plate", "168.00", photos=2, story="refunded"
    ),
    DemoOrder(
        "DM-240505",
        "头戴式主动降噪蓝牙耳机",
        "headphones",
        "399.00",
        buyer="buyer2",
        story="closed",
    ),
    DemoOrder(
        "DM-240506",
        "316不锈钢真空保温杯 500ml",
        "thermos",
        "79.00",
        buyer="buyer2",
        story="withdrawn",
    ),
    DemoOrder("DM-240507", "杭州真丝印花长款围巾", "scarf", "259.00", photos=2, days_ago=4),
    DemoOrder("DM-240508", "儿童启蒙绘本套装（全10册）", "books", "118.00", days_ago=3),
    # The same mug again: every order of a product carries the same listing photos, which
    # the analysis must not take for reuse.
    DemoOrder("DM-240509", "景德镇手绘青花陶瓷马克杯 350ml", "mug", "89.00", photos=2, days_ago=2),
)


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt).replace(tzinfo=None)


class Command(BaseCommand):
    help = "Create the demo platform, accounts, orders and disputes (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-file",
            default=str(Path(settings.VAR_DIR) / "demo-logins.txt"),
            help="Where the generated demo passwords are kept (mode 0600).",
        )

    def handle(self, *args, logins_file, **options):
        logins, fresh = self._logins(Path(logins_file))
        users = {name: self._user(name, logins[name], fresh=name in fresh) for name in USERS}
        platform, _ = Platform.objects.get_or_create(
            slug=PLATFORM_SLUG, defaults={"name": PLATFORM_NAME}
        )
        parties = self._parties(platform, users)
        created = [spec for spec in ORDERS if self._order(platform, parties, users, spec)]
        self._settle_pending_refunds(platform)
        self._credit_story(platform, parties, users)
        self._summary(platform, created, logins)

    # --- people -----------------------------------------------------------------------------
    def _logins(self, path: Path) -> tuple[dict[str, str], set[str]]:
        """Passwords generated on the first run and kept, so every run prints the same ones.

        Returns the logins and the names whose password was generated just now.
        """
        known = {}
        if path.exists():
            for line in path.read_text().splitlines():
                name, _, password = line.partition(" ")
                if name in USERS and password:
                    known[name] = password
        fresh = set(USERS) - set(known)
        if fresh:
            known.update({name: _password() for name in fresh})
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{name} {known[name]}\n" for name in USERS))
        path.chmod(0o600)
        return known, fresh

    def _user(self, name: str, password: str, *, fresh: bool) -> User:
        user, created = User.objects.get_or_create(
            username=name,
            defaults={"is_arbitrator": name == "arbitrator", "is_staff": name == "arbitrator"},
        )
        if created or fresh:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _parties(self, platform: Platform, users: dict[str, User]) -> dict[str, Party]:
        parties = {}
        for name, (kind, display, phone, address, city) in PEOPLE.items():
            parties[name], _ = Party.objects.get_or_create(
                platform=platform,
                kind=kind,
                external_id=f"demo-{name}",
                defaults={
                    "display_name": display,
                    "user": users[name],
                    "phone": phone,
                    "address": address,
                    "city": city,
                },
            )
        return parties

    # --- orders and stories -----------------------------------------------------------------
    @transaction.atomic
    def _order(self, platform, parties, users, spec: DemoOrder) -> bool:
        """Create one order with its listing photos and play its story; False if it exists."""
        if Order.objects.filter(platform=platform, external_id=spec.number).exists():
            return False
        now = timezone.now()
        amount = int(spec.yuan.replace(".", ""))
        order = Order.objects.create(
            platform=platform,
            external_id=spec.number,
            buyer=parties[spec.buyer],
            merchant=parties["merchant"],
            title=spec.title,
            items=[
                {
                    "sku": spec.product.upper(),
                    "title": spec.title,
                    "quantity": 1,
                    "unit_price_fen": amount,
                }
            ],
            amount_fen=amount,
            placed_at=now - timedelta(days=spec.days_ago + 3),
            delivered_at=now - timedelta(days=spec.days_ago),
        )
        shot = _local(now - timedelta(days=30))
        listing = [
            product_photo(spec.product, seed=zlib.crc32(f"{spec.product}/{n}".encode()), taken=shot)
            for n in range(spec.photos)
        ]
        evidence_add(
            order=order,
            party=parties["merchant"],
            files=[_upload(f"{spec.product}-{n + 1}.jpg", data) for n, data in enumerate(listing)],
            role=Evidence.Role.LISTING,
        )
        if spec.story:
            Story(order, spec.product, users, listing[0]).play(spec.story)
        return True

    def _settle_pending_refunds(self, platform: Platform) -> None:
        """Pay demo refunds now (the payment rail is simulated), so the states are final even
        before a worker runs. The task is idempotent, so the queued copy changes nothing."""
        pending = Refund.objects.filter(
            dispute__platform=platform, status=Refund.Status.PENDING
        ).values_list("pk", flat=True)
        for refund_id in pending:
            execute_refund(refund_id)

    @transaction.atomic
    def _credit_story(self, platform, parties, users) -> None:
        """A watch-tier buyer with reasons and a pending appeal, through the services: 韩梅梅's
        "not received" claim was denied (the locker record shows she collected it), the
        merchant's report of it is upheld, and she appeals the report. Runs once, after the
        orders, so her own later claims were opened in the standard tier."""
        dispute = Dispute.objects.filter(
            order__platform=platform, order__external_id="DM-240505"
        ).first()
        if dispute is None or MerchantReport.objects.filter(dispute=dispute).exists():
            return
        report = services.merchant_report_buyer(
            dispute=dispute,
            party=parties["merchant"],
            category=MerchantReport.Category.REFUND_ABUSE,
            statement="快递柜记录显示买家已取件，仍申请仅退款，这是第二次。",
            user=users["merchant"],
        )
        merchant_report_review(
            report=report, user=users["arbitrator"], upheld=True, note="取件记录与签收照片一致。"
        )
        buyer = parties["buyer2"]
        event = buyer.credit_events.get(kind=CreditEvent.Kind.REPORT_UPHELD)
        credit_appeal_file(
            party=buyer,
            event=event,
            statement="取件的是我家人，我本人确实没有拿到耳机，可以提供家人的说明。",
            user=buyer.user,
        )

    def _summary(self, platform, created, logins) -> None:
        out = self.stdout
        if created:
            out.write(f"Created {len(created)} demo orders on {platform.name}.")
        else:
            out.write(f"Demo data already present on {platform.name}; nothing changed.")
        for spec in ORDERS:
            dispute = Dispute.objects.filter(
                order__platform=platform, order__external_id=spec.number
            )
            state = dispute.values_list("state", flat=True).first() or "no dispute"
            out.write(f"  {spec.number}  {state:<18} ¥{spec.yuan:>7}  {spec.title}")
        out.write("")
        out.write(self.style.SUCCESS(f"Open {URL} and log in as:"))
        roles = {
            "buyer": "buyer (李雷)",
            "buyer2": "second buyer (韩梅梅)",
            "merchant": "merchant (景德镇好物旗舰店)",
            "arbitrator": "arbitrator, console at /console/",
        }
        for name in USERS:
            out.write(f"  {name:<11} {logins[name]}   {roles[name]}")


class Story:
    """The steps that put one demo order's dispute in its state, all through the services."""

    def __init__(self, order, product: str, users, listing_photo: bytes):
        self.order = order
        self.product = product
        self.buyer = order.buyer
        self.merchant = order.merchant
        self.buyer_user = self.buyer.user
        self.merchant_user = users["merchant"]
        self.arbitrator = users["arbitrator"]
        self.listing_photo = listing_photo

    def play(self, story: str) -> Dispute:
        return getattr(self, story)()

    def _photo(self, *, stained: bool = False) -> list[SimpleUploadedFile]:
        """The buyer's phone photo: their own shot of the item, or the listing photo with a
        stain painted on (the fabricated claim the forensics should flag)."""
        taken = _local(self.order.delivered_at + timedelta(hours=20))
        if stained:
            data = with_stain(self.listing_photo, taken=taken)
        else:
            phone = ("Xiaomi", "Redmi K70")
            data = product_photo(self.product, seed=self.order.pk, taken=taken, camera=phone)
        return [_upload(taken.strftime("IMG_%Y%m%d_%H%M%S.jpg"), data)]

    def _open(self, reason: str, remedy: str, description: str, **kwargs) -> Dispute:
        return services.dispute_open(
            order=self.order,
            buyer=self.buyer,
            reason=reason,
            remedy=remedy,
            description=description,
            user=self.buyer_user,
            **kwargs,
        )

    def _escalated(self, reason, remedy, description, **kwargs) -> Dispute:
        dispute = self._open(reason, remedy, description, **kwargs)
        services.merchant_respond(
            dispute=dispute,
            party=self.merchant,
            statement="发货前逐件检查并拍照留存，商品出库时完好无损。",
            user=self.merchant_user,
        )
        return services.dispute_escalate(
            dispute=dispute,
            party=self.buyer,
            statement="与商家协商不成，申请平台介入。",
            user=self.buyer_user,
        )

    def awaiting_merchant(self) -> Dispute:
        return self._open(
            "damaged",
            "refund_only",
            "杯身外侧有一大块褐色污渍，洗不掉，像是出厂时就有的。",
            files=self._photo(stained=True),
        )

    def negotiating(self) -> Dispute:
        dispute = self._open(
            "not_as_described",
            "partial_refund",
            "收到的T恤洗一次就明显缩水，和详情页写的“不缩水”不符。",
            claimed_amount_fen=self.order.amount_fen // 2,
            files=self._photo(),
        )
        services.offer_make(
            dispute=dispute,
            party=self.merchant,
            percent=30,
            message="给您补偿30%，衣服不用退回，您看可以吗？",
            user=self.merchant_user,
        )
        return dispute

    def under_review(self) -> Dispute:
        return self._escalated(
            "not_as_described",
            "return_and_refund",
            "手机壳发黄，而且磁吸力很弱，和宣传图差别很大。",
            files=self._photo(),
        )

    def refunded(self) -> Dispute:
        dispute = self._escalated(
            "missing_parts",
            "partial_refund",
            "四件套只收到三个盘子，少了一个。",
            claimed_amount_fen=self.order.amount_fen // 4,
            files=self._photo(),
        )
        services.dispute_decide(
            dispute=dispute,
            user=self.arbitrator,
            outcome="partial_refund",
            percent=25,
            reasoning="物流称重记录与三件一致，商家未能证明已发四件；按缺失一件的比例退款。",
        )
        return dispute

    def closed(self) -> Dispute:
        dispute = self._escalated(
            "not_received",
            "refund_only",
            "物流显示已签收，但我没有收到耳机。",
        )
        services.dispute_decide(
            dispute=dispute,
            user=self.arbitrator,
            outcome="no_refund",
            reasoning="快递柜取件记录显示买家本人已取件，签收照片与收货地址一致。",
        )
        return dispute

    def withdrawn(self) -> Dispute:
        dispute = self._open(
            "not_received",
            "refund_only",
            "下单五天还没收到保温杯。",
        )
        return services.dispute_withdraw(dispute=dispute, party=self.buyer, user=self.buyer_user)
