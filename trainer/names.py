"""How pages find and order people by name. Every page shows a person's full name, or
their username if they gave none; search and A-Z order go by that name folded in
Python (no case, no accents) and stored beside the user (ShownName), kept up to date
whenever the user is saved. SQLite's lower() and LIKE fold ASCII letters only
("émile" found no "Émile", and "Émile" sorted after "Zoe"), and PostgreSQL's order
depends on the database's collation: one key computed here matches and sorts alike
on both."""

from __future__ import annotations

import unicodedata

NAME_FIELDS = {"username", "first_name", "last_name"}


# Latin letters that Unicode does not split into a base letter and an accent, written
# as an English keyboard types them: "odegard" finds Ødegård, and Ærwin sorts with the A's.
# (Case folding already turns ß into ss, and the capitals into these.)
PLAIN_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"})


def fold(text: str) -> str:
    """"Émile", "EMILE" and "emile" alike: case folded, accents taken off the letters
    that carry them (NFKD splits é into e and a combining accent), and the letters of
    their own (ø, æ, ł ...) spelt as an English keyboard types them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(PLAIN_LETTERS)


def name_key(user) -> str:
    """The folded shown name: the full name as User.get_full_name writes it, else the
    username (read field by field: a migration's historical model has no methods)."""
    return fold(f"{user.first_name} {user.last_name}".strip() or user.username)


def keep_shown_name(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """post_save of the user model. A log-in saves only last_login: nothing to do."""
    if raw or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return
    from trainer.models import ShownName  # the app registry is ready by the first save

    ShownName.objects.update_or_create(user=instance, defaults={"key": name_key(instance)})
