"""Demo data of the accounts app, called by `phongdich demo` (see core.demo) after geo's (the health regions)."""

REGIONAL_LOGIN = "khuvuc"


def build(ctx) -> None:
    """The regional health centre's login `khuvuc` on the first demo health region (geo.demo.build_regions), officer
    of that centre (an agency, so the tasks a directive gives the centre reach him: directives.demo_living)."""
    from core.management.commands.demo import create_demo_user

    from .models import Agency, User

    regions = getattr(ctx, "regions", None) or []
    if not regions:
        return
    centre = Agency.objects.get_or_create(name=regions[0].centre_name or f"Trung tâm Y tế {regions[0].name}",
                                          defaults={"short_name": "TTYT KV", "kind": Agency.Kind.HEALTH})[0]
    user = User.objects.filter(username=REGIONAL_LOGIN).first()
    if user is None:
        user = create_demo_user(
            username=REGIONAL_LOGIN, full_name="Y Khu Vực", role="regional_health",
            region=regions[0], agency=centre, must_change_password=True)
    ctx.users["regional_health"] = user
