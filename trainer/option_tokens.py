"""The value a form sends for an option. Authors number options in a pattern (the best
assessment is A in every case, the best plan P1, the best return-visit decision R1), and
the attempt page shuffles their order, but `value="A"` in the page source would still
give the answer away. So each option goes out as a token that stands for it in one
attempt only, and comes back through `option_id_for`."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings

from trainer.engine import is_advance

PREFIX = "o-"
# What option_id_for returns for a value the page never offered: no option id can
# be it (ids match cases.format.ID_PATTERN, which has no "?").
UNKNOWN = "?"


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"trainer.option_tokens:" + secret.encode()).digest()


def token_key() -> bytes:
    """The key tokens are made with (from the secret key): for a load tool, which has
    no Django settings, to send tokens as the page does (bench/locustfile.py)."""
    return _key(settings.SECRET_KEY)


def option_token(attempt_pk: int, option_id: str, key: bytes | None = None) -> str:
    mac = hashlib.blake2b(f"{attempt_pk}:{option_id}".encode(), key=key or token_key(), digest_size=6)
    return PREFIX + mac.hexdigest()


def shuffled(attempt_pk: int, stage_id: str, options: list) -> None:
    """Shuffle `options` in place, in an order stable for this attempt and stage but
    unknown outside the server. Seeded with the attempt and stage alone, Python's
    Random gave an order anyone could recompute (attempt ids are in the address,
    stage ids are the same words in every case), and so undo: the authored order,
    best decision first, came back out of the page."""
    seed = hashlib.blake2b(f"order:{attempt_pk}:{stage_id}".encode(), key=token_key(), digest_size=16)
    random.Random(seed.digest()).shuffle(options)


def option_id_for(attempt_pk: int, option_ids: Iterable[str], sent: str) -> str:
    """The option a form's value names in this attempt: a token the page offered, or
    "Move on" (`history:next`, the one value sent as it is) or nothing (the engine says
    to choose). Anything else, an authored id included, comes back as UNKNOWN, which
    the engine refuses as no option of the case. Authored ids follow a pattern (the
    best assessment is A in every case, the best plan P1): accepted from the form, a
    learner sent `A` in an assessed attempt and had the best assessment without
    reading a label, and the engine's two refusals (no such option / not at this
    stage) told them which ids a case has."""
    if sent.startswith(PREFIX):
        for option_id in option_ids:
            if hmac.compare_digest(option_token(attempt_pk, option_id), sent):
                return option_id
    if not sent or is_advance(sent):
        return sent
    return UNKNOWN
