"""Demo data of the directives app, called by `phongdich demo` (see core.demo)."""


def build(ctx) -> None:
    pass
