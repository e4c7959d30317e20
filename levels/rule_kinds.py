"""The levels app's kind in the one rule base (diseases.rules): the epidemic-level criteria versions.

Registered from LevelsConfig.ready(); the diseases app never imports this app (layers point one way).
"""
from diseases.packs import TypedKind
from diseases.rules import register_kind

from .models import CriteriaVersion


def province_path(path: str) -> str:
    return "/" + path.strip("/").split("/")[0] + "/"


def pick_criteria(rows, unit=None):
    """The unit's province's adaptation in force, else the national version (128/NQ-CP lets provinces adapt);
    the latest valid_from of either (the rows come newest first)."""
    if unit is not None:
        prov = province_path(unit.path)
        own = [v for v in rows if v.province_id and v.province.path == prov]
        if own:
            return max(own, key=lambda v: v.valid_from)
    national = [v for v in rows if not v.province_id]
    return max(national, key=lambda v: v.valid_from) if national else None


def register() -> None:
    register_kind("level_criteria", CriteriaVersion, scope=("province",), strict=True, pick=pick_criteria,
                  select_related=("province",),
                  pack=TypedKind("level_criteria", CriteriaVersion, identity=("code",), extra=("code", "province", "based_on"),
                                 json_values="values"))
