"""Demo data of the resources app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
