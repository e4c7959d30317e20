"""Demo data of the diseases app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
