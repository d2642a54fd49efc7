from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from access.roles import SYSTEM_ADMINISTRATOR
from access.tests.factories import place_user
from accounts.models import Account
from contacts.models import Contact


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """The user's security role: System Administrator unless named (tests written before
        access rules existed assume a user may do anything); "" for none. Persona tests place
        users with access.tests.factories.place_user."""
        if create:
            place_user(
                user, roles=[SYSTEM_ADMINISTRATOR if extracted is None else extracted] if extracted != "" else []
            )


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n:05d}")
    account_number = factory.Sequence(lambda n: f"ACC-{n:05d}")
    owner = factory.SubFactory(UserFactory)
    telephone1 = "+1 425 555 0100"
    emailaddress1 = factory.Sequence(lambda n: f"info{n}@account.example.com")
    address1_city = "Seattle"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Pat{n:05d}")
    last_name = "Example"
    owner = factory.SubFactory(UserFactory)
    emailaddress1 = factory.Sequence(lambda n: f"pat{n}@contact.example.com")
