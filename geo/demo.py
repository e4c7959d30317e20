"""Demo data of the geo app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
