"""Demo data of the testing app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
