"""factory_boy factories. Reference data (embeter, kommuner) comes from the real files via the
`reference_data` fixture; factories pick from it."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import Role, RoleAssignment, User
from organisations.models import ChildWelfareService, Embete, Kommune, Partner, PartnerType


def valid_orgnr(n: int) -> str:
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    base = 920_000_00 + n * 13
    while True:
        digits = [int(d) for d in f"{base:08d}"]
        rem = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = 0 if rem == 0 else 11 - rem
        if check != 10:
            return f"{base:08d}{check}"
        base += 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    password = factory.django.Password("Testpassord-123")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildWelfareService
        skip_postgeneration_save = True

    navn = factory.Sequence(lambda n: f"Barneverntjenesten nr. {n}")
    orgnr = factory.Sequence(valid_orgnr)
    vertskommune = factory.LazyFunction(lambda: Kommune.objects.get(nummer="4601"))

    @factory.post_generation
    def kommuner(obj, create, extracted, **kwargs):
        if create:
            obj.kommuner.set(list(extracted or []) + [obj.vertskommune])


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    navn = factory.Sequence(lambda n: f"Kompetansemiljø {n}")
    type = PartnerType.UNIVERSITET


def embete(slug: str) -> Embete:
    return Embete.objects.get(slug=slug)


def user_with_role(rolle: str, **scope) -> User:
    user = UserFactory()
    RoleAssignment.objects.create(user=user, rolle=rolle, **scope)
    return user


def statsforvalter(slug: str = "vestland", leder: bool = False) -> User:
    return user_with_role(Role.SF_LEDER if leder else Role.SF_SAKSBEHANDLER, embete=embete(slug))


def service_user(service: ChildWelfareService, leder: bool = True) -> User:
    return user_with_role(Role.TJENESTE_LEDER if leder else Role.TJENESTE_MEDARBEIDER, tjeneste=service)


def bufdir_user() -> User:
    return user_with_role(Role.BUFDIR)
