"""Demo data of the contacts app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
