"""Previous / n of N / Next links under a paged list, written once for every page that has one."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.inclusion_tag("includes/pager.html", takes_context=True)
def pager(context, page: Page, label: str, param: str = "page", path: str = "", anchor: str = "") -> dict:
    """`param` names the page's query parameter (a page with two lists pages each on its own);
    `path` is where the links go when it is not the address this page was served at (a form's
    error page answers at its POST-only address); `anchor` reopens the list's place on the page.
    The other query parameters (filters, the other list's page) are kept: a page link without
    them showed a different list."""
    request = context["request"]

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"{path}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    return {
        "page": page,
        "label": label,
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
    }
