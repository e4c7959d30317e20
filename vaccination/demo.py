"""Demo data of the vaccination app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
