from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.contrib.auth import login
from django.contrib.messages.views import SuccessMessageMixin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from trainer import classroom, join_throttle, signup_throttle
from trainer.signup_throttle import minutes
from trainer.classroom import ClassroomError
from trainer.forms import FocusFirstError

# Warn this many failures before django-axes locks the username out: earlier
# than that the warning is noise, later it comes too late to change course.
WARN_WHEN_TRIES_LEFT = 2


class SignupForm(FocusFirstError, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        # The name is optional; instructors' dashboards show it instead of the username.
        fields = ("username", "first_name", "last_name")
        help_texts = {"first_name": "Optional: your instructors see your name rather than your username."}
        widgets = {  # browsers and password managers fill them in (WCAG 1.3.5)
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def _post_clean(self):
        super()._post_clean()
        # Django checks the password's strength on password2 only once both fields
        # match, so a weak password with a typo in the confirmation took two rounds
        # to reveal both problems. Check password1 as well so all show at once.
        if self.has_error("password2", "password_mismatch"):
            self.validate_password_for_user(self.instance, "password1")

    def create_account(self):
        """The new account, or None with the username error on the form. Another sign-up
        can take the name between is_valid's check and this insert (two people choosing
        it at once, a double click); the unique key then refused it, which was a 500.
        A double click's second request (whose answer the browser shows) gets the
        account its first stored, when this request's password opens it."""
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            twin = type(self.instance).objects.filter(username=self.cleaned_data["username"]).first()
            if twin is None:
                raise  # not the name: nothing a person could fix
            if twin.is_active and twin.check_password(self.cleaned_data["password1"]):
                return twin
            self.add_error("username", self.instance.unique_error_message(type(self.instance), ["username"]))
            return None


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match. Both are case-sensitive.",
    }

    def full_clean(self):
        super().full_clean()
        # The message sits above the fields and focus lands on the username: tie it to
        # both fields, so a screen reader reads it (and the lock-out warning) with them.
        if self.non_field_errors():
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update({"aria-describedby": "login-errors", "aria-invalid": "true"})

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        warning = self.lockout_warning()
        return ValidationError([error, warning]) if warning else error

    def lockout_warning(self) -> ValidationError | None:
        """How many tries are left before django-axes blocks this username from this
        address, once few are left. The failure was recorded (user_login_failed)
        before this runs. Unknown usernames count the same, so it reveals nothing."""
        request = self.request
        if request is None or getattr(request, "axes_locked_out", False):
            return None  # locked now: axes' middleware replaces the whole page
        credentials = {"username": self.cleaned_data.get("username")}
        left = get_failure_limit(request, credentials) - AxesProxyHandler.get_failures(request, credentials)
        if not 0 < left <= WARN_WHEN_TRIES_LEFT:
            return None
        cool_off = get_cool_off(request)
        blocked = f"for {minutes(cool_off)}" if cool_off else "until an administrator unlocks it"
        return ValidationError(
            f"Careful: {left} more failed tr{pluralize(left, 'y,ies')} and logging in as this username "
            f"from this device is blocked {blocked}.",
            code="lockout_warning",
        )


def safe_next(request: HttpRequest, url: str | None) -> str:
    """`url` if it stays on this site, else "": a tampered `next` must not turn
    sign-up into an open redirect."""
    ok = url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if ok else ""


def joining(request: HttpRequest, next_url: str) -> dict:
    """Context for the log-in and sign-up pages when `next` joins a cohort. Only the
    cohort's name, which the join page shows anyway; a dead or archived code gets the
    same neutral line as the code form, and the join page refuses it after log-in.
    Anyone can load these pages, so a dead code counts as a guess (join_throttle), and
    past the limit no cohort is named."""
    try:
        match = resolve(urlsplit(next_url).path) if next_url else None
    except Resolver404:
        match = None
    if match is None or match.url_name not in ("join", "join_link"):
        return {}
    if "code" not in match.kwargs:  # the code form (no code yet)
        return {"joining": True}
    try:
        return {"joining": True, "joining_cohort": join_throttle.look_up(request, classroom.find_cohort_by_code, match.kwargs["code"]).name}
    except ClassroomError:  # a dead code, or joining is paused
        return {"joining": True}


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # its `next` is already validated
        return {**context, **joining(self.request, context[self.redirect_field_name])}


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Anyone can sign up; new accounts are learners (instructor is a group).
    A `next` (e.g. a cohort's join link) is carried through, so the new account
    lands where the visitor was going. Accounts per address are limited (trainer/signup_throttle.py):
    past the limit the form comes back with what was typed, saying so."""
    if request.user.is_authenticated:
        return redirect("home")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status, paused = 422, signup_throttle.pause(request)
        if form.is_valid() and not paused and (user := form.create_account()):
            if user is form.instance:  # not a double click's account, counted by its first request
                signup_throttle.record(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url or "library")
        if paused:  # beside any other problem with the form, so all show at once
            form.add_error(None, paused)
            status = 429
    context = {"form": form, "next": next_url, **joining(request, next_url)}
    return TemplateResponse(request, "registration/signup.html", context, status=status)


class OwnPasswordChangeForm(FocusFirstError, PasswordChangeForm):
    pass


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Change your own password (the old one, then the new one twice). Django's view
    keeps the session signed in; a message on the home page confirms it."""

    form_class = OwnPasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")
    success_message = "Your password has been changed."
