"""Small middleware of our own."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme


class RejectNulBytesMiddleware:
    """Refuse a request with a NUL character in its path, query string, cookies or
    headers: 400 with a short plain message, on every database.

    PostgreSQL text cannot hold NUL, so such a value reaching a query raised
    DataError, a 500 (`/cases/?region=%00`, `/cases/A%00/start/`, a dashboard
    search, a session cookie sent as `"...\\000..."`, which Django's cookie parser
    unescapes), where SQLite answered 200 or 404. Checking here covers every view,
    present and future. Request bodies are left to the views: form fields (Django's
    CharField) refuse NUL with a message next to the field, and the few POST values
    views read directly (a choice's option, a join code's `replacing`, confirm
    boxes) are compared with known values before any query uses them."""

    MESSAGE = "Bad request: the address, a cookie or a header contains a NUL character."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\0" in request.path:
            return True
        for key, values in request.GET.lists():
            if "\0" in key or any("\0" in v for v in values):
                return True
        if any("\0" in k or "\0" in v for k, v in request.COOKIES.items()):
            return True
        # Front servers refuse a raw NUL in a header; the development server does not.
        return any("\0" in str(v) for k, v in request.META.items() if k.startswith("HTTP_"))


class PrivatePagesMiddleware:
    """A signed-in person's pages (scores, debriefs, dashboards, exports) are not kept
    by the browser: on a shared computer, Back after logging out could show them from
    its cache. A view that sets its own Cache-Control keeps it.

    It asks whether the response read the session (every page about a person does, to
    know who they are), not `request.user`: that would load the session and the user
    for every response, pages that need neither included (the bench's constant view
    went from no query to two)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty() and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class VaryOnHtmxMiddleware:
    """Pages that answer htmx with a fragment (the library filter, the dashboard
    matrix) share their URL with the whole page (hx-push-url), so a browser or
    proxy cache must keep the two apart: without `Vary: HX-Request`, going Back
    after a filter showed the cached bare fragment. Set on every response, so a
    new partial view cannot forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to a POST-only view (a bookmarked or reloaded "start
    case" address) with 405 and an empty body, which browsers show as their own
    error page. Give it a page of ours; the status and Allow header stay."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.method not in ("GET", "HEAD"):
            return response
        page = TemplateResponse(request, "405.html", status=405)
        page.render()
        page["Allow"] = response["Allow"]
        return page


class HtmxFailureMiddleware:
    """What an htmx request gets when it cannot have its fragment.

    htmx swaps whatever comes back into the target, and fetch follows redirects
    silently: a learner whose session ended in another tab saw the whole login page
    inside the stage panel, and a 403 (a new CSRF token after signing in again), 404
    or 500 put a whole error page there. The fragments we design answer 200 or 422;
    anything else is not for a panel. So:

    - a redirect to the login page becomes `HX-Redirect`, and its `next` is the page
      the learner was on, not the action (`/attempts/5/choose/` is POST-only: after
      signing in it gave the 405 page). A form posted without htmx gets the same
      `next`, from the Referer;
    - any other failure reloads the page (`HX-Refresh`) with a message saying that
      nothing was recorded, so the learner sees their attempt as stored and can
      try again.
    """

    FRAGMENT_STATUSES = {200, 422}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_htmx = bool(getattr(request, "htmx", False))
        if response.status_code in (301, 302) and (is_htmx or request.method not in ("GET", "HEAD")):
            return self._login_redirect(request, response, is_htmx)
        if is_htmx and response.status_code >= 400 and response.status_code not in self.FRAGMENT_STATUSES:
            messages.error(request, self._failure_message(response.status_code), fail_silently=True)
            # The status stays (htmx honours HX-Refresh on any status); the error page does not.
            refresh = HttpResponse(status=response.status_code)
            refresh["HX-Refresh"] = "true"
            return refresh
        return response

    @staticmethod
    def _failure_message(status: int) -> str:
        if status == 403:
            return "Your session changed (you may have signed out or in again in another tab). The page was reloaded; nothing was recorded, so try again."
        if status == 404:
            return "That was not found; nothing was recorded."
        if status == 400:  # Django's own refusal: too many fields, a body over its size limit
            return "The server could not read that request (it was too large or malformed); nothing was recorded."
        return "Something went wrong on our side; nothing was recorded. Please try again."

    @staticmethod
    def _login_redirect(request, response, is_htmx: bool):
        login = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response["Location"])
        if location.path != login or "next=" not in location.query:  # only login_required's redirects
            return response
        page = request.headers.get("HX-Current-URL") if is_htmx else request.headers.get("Referer")
        page_path = resolve_url(settings.LOGIN_REDIRECT_URL)  # no page to return to: home
        if page and url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            parts = urlsplit(page)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            # "https://ours//evil.example/x" is our host, but its path alone reads as another host.
            if url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
                page_path = path
        target = f"{login}?{urlencode({'next': page_path})}"
        messages.info(request, "Your session has ended: sign in again to carry on where you left off.", fail_silently=True)
        if not is_htmx:
            return HttpResponseRedirect(target)
        redirect = HttpResponse(status=200)
        redirect["HX-Redirect"] = target
        return redirect
