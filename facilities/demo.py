"""Demo data of the facilities app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
