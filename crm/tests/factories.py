from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.models import Account
from contacts.models import Contact


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


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
