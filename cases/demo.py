"""Demo data of the cases app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
