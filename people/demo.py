"""Demo data of the people app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
