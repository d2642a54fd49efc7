from __future__ import annotations

import pytest

from contacts.forms import ContactForm


def edit_data(record, form_class=ContactForm, user=None, **changes) -> dict:
    """What the record's edit form posts when the user changes only `changes`."""
    form = form_class(instance=record, user=user)
    data = {}
    for name, _bound in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    data.update(changes)
    return data


@pytest.fixture
def edit():
    return edit_data


from access.tests.conftest import org  # noqa: E402, F401  (the personas)
from imports.tests.conftest import importer, media_in_tmp, run_import  # noqa: E402, F401  (the import fixtures)
