from django.core.management.base import BaseCommand

from access.demo import sign_ins
from accounts.models import Account
from crm.demo_data import ensure_demo_users, load_demo_data


class Command(BaseCommand):
    help = "Fill the database with realistic demo accounts and contacts, and create the demo sign-in."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300, help="How many accounts to create (default 300).")
        parser.add_argument("--contacts-per-account", type=int, default=3, help="Average contacts per account.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed, for repeatable data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if accounts already exist.")

    def handle(self, *args, accounts, contacts_per_account, seed, if_empty, **options):
        ensure_demo_users()
        self.stdout.write("Sign-ins, one per security role: " + "; ".join(sign_ins()))
        if if_empty and Account.objects.exists():
            self.stdout.write("Demo data already present; nothing loaded.")
            return
        made_accounts, made_contacts = load_demo_data(
            accounts=accounts, contacts_per_account=contacts_per_account, seed=seed
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {made_accounts} accounts and {made_contacts} contacts."))
