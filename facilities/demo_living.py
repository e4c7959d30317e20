"""Living era of the demo (see core.demo): a health station, a care team and a community team in each 2025 commune of
the demo, and the demo's care-team account made a member of its commune's care team ("my patients" list)."""


def build(ctx) -> None:
    from .models import Facility, Team

    existing = set(Facility.objects.filter(unit__in=ctx.communes, kind=Facility.Kind.COMMUNE_HEALTH_STATION).values_list("unit_id", flat=True))
    Facility.objects.bulk_create([
        Facility(name=f"Trạm Y tế {c.name}", kind=Facility.Kind.COMMUNE_HEALTH_STATION, unit=c,
                 phone=f"0255{ctx.rng.randint(3000000, 3999999)}")
        for c in ctx.communes if c.pk not in existing])
    stations = {f.unit_id: f for f in Facility.objects.filter(unit__in=ctx.communes, kind=Facility.Kind.COMMUNE_HEALTH_STATION)}
    have = set(Team.objects.filter(commune__in=ctx.communes).values_list("commune_id", "kind"))
    teams = []
    for c in ctx.communes:
        if (c.pk, Team.Kind.CARE_TEAM) not in have:
            teams.append(Team(name=f"Tổ chăm sóc người bệnh {c.name}", kind=Team.Kind.CARE_TEAM, commune=c, facility=stations.get(c.pk),
                              phone=f"09{ctx.rng.randint(10000000, 99999999)}"))
        if (c.pk, Team.Kind.COMMUNITY_TEAM) not in have:
            teams.append(Team(name=f"Tổ cộng đồng {c.name}", kind=Team.Kind.COMMUNITY_TEAM, commune=c, facility=stations.get(c.pk)))
    Team.objects.bulk_create(teams)
    carer = ctx.users.get("care_team")
    if carer is not None and carer.unit_id:
        team = Team.objects.filter(commune_id=carer.unit_id, kind=Team.Kind.CARE_TEAM).first()
        if team is not None:
            team.members.add(carer)
    ctx.say(f"facilities: {len(stations)} trạm y tế xã (địa giới 2025) / commune health stations")
