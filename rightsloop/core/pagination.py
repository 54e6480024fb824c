"""Page through long lists without counting more than needed."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class CountedPaginator(Paginator):
    """A paginator told its total by the caller, who can count faster than COUNT(*) on the page's query."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def paginate(request, queryset, per_page: int | None = None, count: int | None = None) -> Page:
    size = per_page or settings.RIGHTSLOOP_PAGE_SIZE
    paginator = Paginator(queryset, size) if count is None else CountedPaginator(queryset, size, count=count)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class ApiPages(PageNumberPagination):
    """Page-number pagination for the API with bounds, so no page or size can overflow the database."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)
