"""Small middleware of our own."""

from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers


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
