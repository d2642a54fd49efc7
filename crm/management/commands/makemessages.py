"""makemessages with this project's choices built in, so `make messages`, the catalogue test
and a developer typing the command all collect the same strings the same way."""

from __future__ import annotations

from django.core.management.commands import makemessages

# Not the product: installed packages (their own catalogues apply), run files, tests (they
# only check what users read) and benchmarks (their figures are for developers).
IGNORED = [".venv/*", "var/*", "test-artifacts/*", "*/tests/*", "crm/bench/*", "bench/*", "node_modules/*"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        # File names without line numbers: a change elsewhere in a file doesn't touch the
        # catalogue, so branches merge without conflicts in it.
        options["add_location"] = options["add_location"] or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
