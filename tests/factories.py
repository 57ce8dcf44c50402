"""factory_boy factories for the domain; tests name actors through conftest fixtures."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Party, Platform, User
from arbitration.models import Order


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ("slug",)

    name = "Demo Mall"
    slug = "demo-mall"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    platform = factory.SubFactory(PlatformFactory)
    kind = Party.Kind.BUYER
    external_id = factory.Sequence(lambda n: f"party-{n}")
    display_name = factory.Sequence(lambda n: f"Party {n}")
    user = factory.SubFactory(UserFactory)
    phone = "13812341234"
    address = "上海市浦东新区世纪大道100号"
    city = "上海"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    platform = factory.SelfAttribute("buyer.platform")
    external_id = factory.Sequence(lambda n: f"ORD-{n:06d}")
    buyer = factory.SubFactory(PartyFactory, kind=Party.Kind.BUYER)
    merchant = factory.SubFactory(
        PartyFactory, kind=Party.Kind.MERCHANT, platform=factory.SelfAttribute("..platform")
    )
    title = "Ceramic mug"
    items = factory.LazyAttribute(
        lambda o: [
            {"sku": "MUG-1", "title": o.title, "quantity": 1, "unit_price_fen": o.amount_fen}
        ]
    )
    amount_fen = 10000
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    delivered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
