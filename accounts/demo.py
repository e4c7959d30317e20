"""Demo data of the accounts app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
