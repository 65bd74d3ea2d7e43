"""What the test_play_* files share: the htmx request header, posting a choice (as
htmx does, or as a plain form), and cutting one section out of a page. Their
`attempt` fixture (Alice's attempt at C01) is in conftest.py."""

from django.urls import reverse

from trainer.option_tokens import option_token

HTMX = {"HTTP_HX_REQUEST": "true"}


def as_sent(attempt, option: str) -> str:
    """An option as the page sends it: its token in this attempt (trainer/option_tokens.py);
    "Move on" and values that are no option of the case go as they are."""
    if option in attempt.version.playbook.option_stage:
        return option_token(attempt.pk, option)
    return option


def choose(client, attempt, option, htmx=True):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, option)}, **(HTMX if htmx else {}))


def choose_shown(client, attempt, option, shown):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, option), "shown": shown}, **HTMX)


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]
