"""The authorisation matrix: every URL pattern of trainer.urls, with every persona.

The expected outcome of each (URL name, persona) is written out below. A URL that
is added without a row here fails `test_every_url_has_a_row`, so nobody can ship
a view whose access rules were never stated.

Outcomes: "200", "404" (the object does not exist for this person: not even its
existence leaks), "login" (302 to the login page), "redirect" (302 elsewhere, e.g.
post/redirect/get after a successful POST).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import AssignmentFactory, AttemptFactory, UserFactory, play
from trainer import classroom
from trainer.models import Membership
from tests.integration.play_helpers import as_sent

BEST_C01 = ["H1", "H3", "H4", "H5", "H6", "H7", "H8", "history:next", "X2", "X4", "X9", "X6", "exam:next", "W1", "A", "P1"]

PERSONAS = ("anonymous", "learner", "other_learner", "instructor", "other_instructor", "staff", "revoked_instructor")

# Patterns not walked, each with the reason.
SKIPPED = {
    "admin/": "Django's admin enforces is_staff and model permissions itself; no app view lives under it",
}


def row(anonymous, learner, other_learner, instructor, other_instructor, staff) -> dict[str, str]:
    # A co-instructor of the cohort whose instructor rights were revoked (manage.py
    # instructor remove) keeps their roster place, and is an outsider everywhere.
    revoked_instructor = other_learner
    return dict(zip(PERSONAS, (anonymous, learner, other_learner, instructor, other_instructor, staff, revoked_instructor)))


PUBLIC = row("200", "200", "200", "200", "200", "200")
OWNER_ONLY = row("login", "200", "404", "404", "404", "404")
TEACHER_ONLY = row("login", "404", "404", "200", "404", "404")
TEACHER_ACTION = row("login", "404", "404", "redirect", "404", "404")
SIGNED_IN = row("login", "200", "200", "200", "200", "200")
ANON_ONLY = row("200", "redirect", "redirect", "redirect", "redirect", "redirect")

# url name -> (method, expected outcome per persona). The learner owns the attempts
# and is in the instructor's cohort; the other learner is in no cohort; the other
# instructor teaches another cohort; staff is is_staff without any group; the revoked
# instructor co-taught the cohort until their rights were revoked.
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "home": ("GET", PUBLIC),
    "library": ("GET", PUBLIC),
    "guidance": ("GET", PUBLIC),
    "start_attempt": ("POST", row("login", "redirect", "redirect", "redirect", "redirect", "redirect")),
    "attempt": ("GET", OWNER_ONLY),
    "attempt_choose": ("POST", row("login", "redirect", "404", "404", "404", "404")),
    "debrief": ("GET", OWNER_ONLY),
    "signup": ("GET", ANON_ONLY),
    "login": ("GET", ANON_ONLY),
    "logout": ("POST", row("redirect", "redirect", "redirect", "redirect", "redirect", "redirect")),
    "password_change": ("GET", SIGNED_IN),
    "my_attempts": ("GET", SIGNED_IN),  # each sees only their own (test_my_attempts)
    "clinical_review": ("GET", row("login", "404", "404", "200", "200", "404")),
    "join": ("GET", SIGNED_IN),
    "join_link": ("GET", SIGNED_IN),  # shows what you would join; joining takes a POST
    "assignment_start": ("POST", row("login", "redirect", "404", "404", "404", "404")),
    "cohorts": ("GET", row("login", "404", "404", "200", "200", "404")),
    "cohort_create": ("POST", row("login", "404", "404", "redirect", "redirect", "404")),
    "cohort_dashboard": ("GET", TEACHER_ONLY),
    "cohort_roster": ("GET", TEACHER_ONLY),
    "cohort_misses": ("GET", TEACHER_ONLY),
    "cohort_settings": ("GET", TEACHER_ONLY),
    "cohort_new_code": ("POST", TEACHER_ACTION),
    "cohort_archive": ("POST", TEACHER_ACTION),
    "cohort_remove_member": ("GET", TEACHER_ONLY),  # the confirmation page; the POST is in the persona tests
    "cohort_add_instructor": ("POST", TEACHER_ACTION),
    "assignment_create": ("GET", TEACHER_ONLY),
    "assignment_detail": ("GET", TEACHER_ONLY),
    "assignment_edit": ("GET", TEACHER_ONLY),
    "assignment_remove": ("GET", TEACHER_ONLY),  # the confirmation page; the POST is in the persona tests
    "item_analysis": ("GET", TEACHER_ONLY),
    "cohort_student": ("GET", TEACHER_ONLY),
    "cohort_attempt": ("GET", TEACHER_ONLY),
    "export_matrix": ("GET", TEACHER_ONLY),
    "export_attempts": ("GET", TEACHER_ONLY),
}


# The other methods a view answers (its `Allow` header), each with its outcome per
# persona, so every URL x method is stated, not only the one MATRIX names. Bodies that
# change nothing where that is possible (an empty form: "422", or the cohort's own name);
# the rows that do change the world (a removal, joining) run last (EXTRA_LAST).
EXTRA_METHODS: dict[tuple[str, str], dict[str, str]] = {
    ("signup", "POST"): row("422", "redirect", "redirect", "redirect", "redirect", "redirect"),
    ("login", "POST"): row("200", "redirect", "redirect", "redirect", "redirect", "redirect"),  # an empty form: 200, as Django's
    ("login", "PUT"): row("200", "redirect", "redirect", "redirect", "redirect", "redirect"),  # FormView takes PUT as POST
    ("password_change", "POST"): SIGNED_IN,  # an empty form comes back (200, Django's view)
    ("password_change", "PUT"): SIGNED_IN,
    ("join", "POST"): row("login", "422", "422", "422", "422", "422"),
    ("cohort_settings", "POST"): TEACHER_ACTION,
    ("assignment_create", "POST"): row("login", "404", "404", "422", "404", "404"),
    ("assignment_edit", "POST"): row("login", "404", "404", "422", "404", "404"),
    ("cohort_remove_member", "POST"): TEACHER_ACTION,
    ("assignment_remove", "POST"): TEACHER_ACTION,
    # Joining by the link: the learner is already in, the instructor already teaches it,
    # everyone else joins (or, revoked, is told why not); each lands on a page of theirs.
    ("join_link", "POST"): row("login", "redirect", "redirect", "redirect", "redirect", "redirect"),
}
EXTRA_LAST = ("cohort_remove_member", "assignment_remove", "join_link")
# Methods every view may answer without doing anything: HEAD (a GET without body) and OPTIONS.
HARMLESS = {"HEAD", "OPTIONS"}


@dataclass
class Route:
    name: str
    route: str  # the full pattern, for messages
    params: tuple[str, ...]


def walk(patterns=None, prefix: str = "") -> tuple[list[Route], list[str]]:
    """Every URLPattern under the root URLconf, recursively; and the skipped prefixes met."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes: list[Route] = []
    skipped: list[str] = []
    for p in patterns:
        here = prefix + str(p.pattern)
        if here in SKIPPED:
            skipped.append(here)
            continue
        if isinstance(p, URLResolver):
            sub, sub_skipped = walk(p.url_patterns, here)
            routes += sub
            skipped += sub_skipped
        elif isinstance(p, URLPattern):
            routes.append(Route(p.name or "", here, tuple(p.pattern.converters)))
    return routes, skipped


def test_every_url_has_a_row():
    routes, skipped = walk()
    assert sorted(skipped) == sorted(SKIPPED), "a SKIPPED entry no longer matches a pattern"
    unnamed = [r.route for r in routes if not r.name]
    assert not unnamed, f"give these URL patterns a name so the matrix can list them: {unnamed}"
    missing = sorted({r.name for r in routes} - MATRIX.keys())
    assert not missing, (
        f"URL name(s) {missing} have no row in MATRIX in {__file__}. Add one: the method the view "
        "is for, and the outcome for each persona (anonymous, learner, other_learner, instructor, "
        "other_instructor, staff); if the route needs new parameters, add them to World.kwargs too."
    )
    stale = sorted(MATRIX.keys() - {r.name for r in routes})
    assert not stale, f"MATRIX rows for URL names that no longer exist: {stale}"


class World:
    """One cohort with its instructor and a learner who has done some work; an
    outsider learner, an instructor of another cohort, and a staff user."""

    def __init__(self, library):
        self.c01 = library["C01"]
        self.users = {
            "learner": UserFactory(username="alice"),
            "other_learner": UserFactory(username="bob"),
            "instructor": UserFactory(username="ivy", instructor=True),
            "other_instructor": UserFactory(username="oscar", instructor=True),
            "staff": UserFactory(username="sam", is_staff=True),
            "revoked_instructor": UserFactory(username="rita", instructor=True),
        }
        alice = self.users["learner"]
        self.cohort = classroom.create_cohort(self.users["instructor"], "Year 2")
        classroom.add_co_instructor(self.cohort, "rita")
        call_command("instructor", "remove", "rita", stdout=StringIO())
        self.other_cohort = classroom.create_cohort(self.users["other_instructor"], "Elsewhere")
        Membership.objects.create(cohort=self.cohort, user=alice)
        # The roster entry the remove-member row removes: not the learner's, so
        # the order in which rows run does not matter.
        self.removable = Membership.objects.create(cohort=self.cohort, user=UserFactory(username="carol"))
        self.assignment = AssignmentFactory(cohort=self.cohort, code="C01")
        assigned, _ = classroom.start_assignment(alice, self.assignment)
        play(assigned, BEST_C01)
        self.assigned_attempt = assigned
        self.in_progress = AttemptFactory(user=alice)
        play(self.in_progress, ["H1"])
        self.finished = AttemptFactory(user=alice)
        play(self.finished, BEST_C01)

    def kwargs(self, name: str, params: tuple[str, ...]) -> dict:
        values = {
            "slug": self.c01.slug,
            "case_code": self.c01.code,
            "code": self.cohort.join_code,
            "membership_pk": self.removable.pk,
            "assignment_pk": self.assignment.pk,
            "user_pk": self.users["learner"].pk,
            "attempt_pk": self.assigned_attempt.pk,
        }
        pk = {
            "attempt": self.in_progress.pk,
            "attempt_choose": self.in_progress.pk,
            "debrief": self.finished.pk,
            "assignment_start": self.assignment.pk,
        }.get(name, self.cohort.pk)  # every other <pk> is the cohort's
        values["pk"] = pk
        unknown = set(params) - values.keys()
        assert not unknown, f"{name}: add a value for URL parameter(s) {unknown} to World.kwargs"
        return {p: values[p] for p in params}

    def data(self, name: str) -> dict:
        return {
            "attempt_choose": {"option": as_sent(self.in_progress, "H3")},
            "cohort_create": {"name": "New cohort"},
            "cohort_add_instructor": {"username": "oscar"},
            # Restoring an open cohort: the walk goes on with the world unchanged.
            "cohort_archive": {"archived": "0"},
            "cohort_settings": {"name": self.cohort.name},  # saved as it was
        }.get(name, {})

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


def outcome(response) -> str:
    if response.status_code == 302:
        return "login" if response["Location"].startswith(reverse(settings.LOGIN_URL)) else "redirect"
    return str(response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_url_answers_each_persona_as_the_matrix_says(library, persona):
    world = World(library)
    routes, _ = walk()
    got, wrong = {}, {}
    for r in routes:
        if r.name not in MATRIX:
            continue  # test_every_url_has_a_row reports it
        method, expected = MATRIX[r.name]
        url = reverse(r.name, kwargs=world.kwargs(r.name, r.params))
        client = world.client(persona)  # a fresh session each time: one row may be "log out"
        response = client.post(url, world.data(r.name)) if method == "POST" else client.get(url)
        got[r.name] = outcome(response)
        if got[r.name] != expected[persona]:
            wrong[r.name] = f"{method} {url}: expected {expected[persona]}, got {got[r.name]}"
        if persona == "anonymous" and expected[persona] == "login":
            assert "?next=" in response["Location"], r.name
    assert not wrong, f"persona {persona}:\n" + "\n".join(f"  {k}: {v}" for k, v in wrong.items())
    assert len(got) == len(MATRIX)


STATE_CHANGING = sorted(name for name, (method, _) in MATRIX.items() if method == "POST")


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_views_that_change_state_refuse_get(library, name):
    """A link, an <img src> or a prefetch must never change anything."""
    world = World(library)
    routes = {r.name: r for r in walk()[0]}
    url = reverse(name, kwargs=world.kwargs(name, routes[name].params))
    for persona in PERSONAS[1:]:
        response = world.client(persona).get(url)
        assert response.status_code in (404, 405), f"GET {url} as {persona}: {response.status_code}"


TOO_BIG = 99999999999999999999  # beyond a 64-bit integer column
SENTINEL = 987654321  # an id no other parameter of the URL has


@pytest.mark.parametrize("persona", ("learner", "instructor"))
def test_an_id_too_big_for_the_database_is_a_404_on_every_url(library, persona):
    """An id no row can have is "no such page", never a 500: a filter on a foreign key
    column (user_id=...) skips Django's out-of-range check and the database driver raises.
    The URLs' id converter refuses such an id for every view."""
    world = World(library)
    wrong = {}
    for r in walk()[0]:
        if r.name not in MATRIX:
            continue
        method, _ = MATRIX[r.name]
        kwargs = world.kwargs(r.name, r.params)
        for param in (p for p in r.params if isinstance(kwargs[p], int)):
            # reverse() refuses an id the URL pattern cannot match: put it in by hand.
            url = reverse(r.name, kwargs={**kwargs, param: SENTINEL}).replace(f"/{SENTINEL}/", f"/{TOO_BIG}/")
            assert str(TOO_BIG) in url
            client = world.client(persona)
            client.raise_request_exception = False  # report every URL, not just the first that fails
            response = client.post(url, world.data(r.name)) if method == "POST" else client.get(url)
            if response.status_code != 404:
                wrong[f"{r.name} <{param}>"] = f"{method} {url}: {response.status_code}"
    assert not wrong, "\n".join(f"  {k}: {v}" for k, v in wrong.items())


def allowed_methods(world: World, url: str) -> set[str]:
    """The methods the view says it answers: its Allow header, on a 405 to an unusual
    method (require_http_methods) or on OPTIONS (class-based views). Asked as each
    persona in turn: login_required answers an anonymous one with a redirect."""
    for persona in PERSONAS:
        for method in ("options", "trace"):
            response = getattr(world.client(persona), method)(url)
            if response.has_header("Allow"):
                return {m.strip() for m in response["Allow"].split(",")}
    raise AssertionError(f"{url}: no Allow header for any persona")


def test_every_method_of_every_url_has_a_row(library):
    """MATRIX names one method per URL; a view that also takes a POST (a settings form,
    a confirmation page) or a PUT (Django's FormView) must have it stated too."""
    world = World(library)
    missing = []
    for r in walk()[0]:
        if r.name not in MATRIX:
            continue
        url = reverse(r.name, kwargs=world.kwargs(r.name, r.params))
        stated = {MATRIX[r.name][0]} | {m for (name, m) in EXTRA_METHODS if name == r.name}
        if "GET" in stated:
            stated.add("HEAD")
        missing += [f"{r.name} {m}" for m in sorted(allowed_methods(world, url) - stated - HARMLESS)]
    assert not missing, f"add these to EXTRA_METHODS in {__file__}: {missing}"
    stale = [f"{n} {m}" for (n, m) in EXTRA_METHODS if n not in MATRIX]
    assert not stale, stale


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_other_methods_answer_each_persona_as_stated(library, persona):
    world = World(library)
    routes = {r.name: r for r in walk()[0]}
    wrong = {}
    rows = sorted(EXTRA_METHODS.items(), key=lambda item: item[0][0] in EXTRA_LAST)
    for (name, method), expected in rows:
        url = reverse(name, kwargs=world.kwargs(name, routes[name].params))
        response = world.client(persona).generic(method, url, urlencode(world.data(name)), "application/x-www-form-urlencoded")
        got = outcome(response)
        if got != expected[persona]:
            wrong[f"{name} {method}"] = f"{url}: expected {expected[persona]}, got {got}"
    assert not wrong, f"persona {persona}:\n" + "\n".join(f"  {k}: {v}" for k, v in wrong.items())
    # Nobody but the cohort's instructor changed it.
    world.cohort.refresh_from_db()
    assert world.cohort.name == "Year 2"
    assert world.cohort.assignments.exists() == (persona != "instructor")
    assert world.cohort.memberships.filter(pk=world.removable.pk).exists() == (persona != "instructor")
