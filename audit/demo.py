"""Demo data of the audit app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
