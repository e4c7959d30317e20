"""Demo data of the levels app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
