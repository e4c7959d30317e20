"""Demo data of the reports app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
