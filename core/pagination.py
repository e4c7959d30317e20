"""A paginator for long lists whose total is cached (core.dataversion) instead of counted on every request:
counting 800,000 doses or 580,000 people took most of a list page's time."""
from django.core.paginator import Paginator


class KnownCountPaginator(Paginator):
    """A Paginator told its count instead of counting the rows (`count` is Paginator's cached_property)."""

    def __init__(self, object_list, per_page, *, known_count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = known_count


def jurisdiction_key(user):
    """What a cached count of a user's list depends on: the whole registry, the user's health region or his unit
    (a region user has no unit: without the region in the key, every region shared one count)."""
    if user.sees_everything:
        return "all"
    region = getattr(user, "jurisdiction_region", None)
    if region is not None:
        return f"region{region.pk}"
    return getattr(user.jurisdiction_unit, "pk", "none")
