"""What the test_play_* files share: the htmx request header, posting a choice (as
htmx does, or as a plain form), and cutting one section out of a page. Their
`attempt` fixture (Alice's attempt at C01) is in conftest.py."""

from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


def choose(client, attempt, option, htmx=True):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": option}, **(HTMX if htmx else {}))


def choose_shown(client, attempt, option, shown):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": option, "shown": shown}, **HTMX)


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]
