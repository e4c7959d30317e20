"""`phongdich demo`: two eras (docs/demo.md). History: Kon Tum 2021–2022 on the pre-2025 units, with villages, facilities,
one user per role and synthetic residents. Living: the same residents on today's map (the 2025 communes of Quảng Ngãi
that took over Kon Tum's) and the last 90 days up to --today: active cases with checks due, contacts under follow-up,
tests awaiting results, a campaign in progress, tasks due this week, the last week's levels, yesterday's report."""
import functools
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DemoContext, run_app_builders

DEMO_PASSWORD = "PhongDich@2022"
VILLAGE_KINDS = {"Phường": ("to_dan_pho", "Tổ dân phố"), "Thị trấn": ("to_dan_pho", "Tổ dân phố"), "Xã": ("thon", "Thôn")}


@functools.cache
def demo_password_hash() -> str:
    """One hash of the published demo password for every demo account (a PBKDF2 hash costs 0.4 s of CPU: ten
    accounts took 4 s of `make run`)."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def create_demo_user(**fields):
    """A demo account with the demo password (already hashed, see demo_password_hash)."""
    from accounts.models import User

    user = User.objects.create_user(password=None, **fields)
    user.password = demo_password_hash()
    User.objects.filter(pk=user.pk).update(password=user.password)
    return user


def production_refusal(*, has_people: bool, override: bool) -> str | None:
    """The demo creates fictitious residents and users whose password is published in the README: it must never
    run on a production installation. Rule: it runs when DEBUG is on (`make run`) or under the test suite; with
    DEBUG off it refuses, unless the operator states this is not production (a training or staging server) and
    the database holds no people yet, so demo records can never mix with real ones."""
    if settings.DEBUG or settings.TESTING:
        return None
    if not override:
        return ("Từ chối: DEBUG đang tắt (máy chủ thật), không tạo dữ liệu mẫu. / Refused: DEBUG is off (a production "
                "installation), so no demo data is created. Use DEBUG=1 for development, or "
                "--i-know-this-is-not-production on an empty training server.")
    if has_people:
        return ("Từ chối: cơ sở dữ liệu đã có người dân; dữ liệu mẫu không được trộn với dữ liệu thật. / Refused: "
                "the database already holds people; demo data must not mix with real records.")
    return None


class Command(BaseCommand):
    help = ("Create the demo data set: Kon Tum 2021–2022 and the last 90 days on today's map. Deterministic: same --seed, "
            "--people, --history-today and --today, same data.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=580_000, help="number of residents (default 580,000)")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already has people")
        parser.add_argument("--today", default=None,
                            help="the living era's last day (dd/mm/yyyy or yyyy-mm-dd; default: the real date)")
        parser.add_argument("--history-today", default="2022-02-14", dest="history_today",
                            help="the history era's 'today' (default 14/02/2022)")
        parser.add_argument("--no-living", action="store_true", dest="no_living", help="build the history era only")
        parser.add_argument("--i-know-this-is-not-production", action="store_true", dest="not_production",
                            help="allow the demo with DEBUG off (a training or staging server), on an empty database only")

    def handle(self, *args, **opts):
        from core.parsing import parse_date
        from geo.loader import load_admin_units
        from geo.models import AdministrativeUnit, Level
        from people.models import Person

        refusal = production_refusal(has_people=Person.objects.exists(), override=opts["not_production"])
        if refusal:
            raise CommandError(refusal)
        if opts["if_empty"] and Person.objects.exists():
            self.stdout.write("Dữ liệu mẫu đã có / demo data already present.")
            self._print_logins()
            return
        started = time.perf_counter()
        if not AdministrativeUnit.objects.filter(path="/62/").exists():
            load_admin_units()
        from django.utils import timezone

        living_today = parse_date(opts["today"]) if opts["today"] else timezone.localdate()
        history_today = parse_date(opts["history_today"])
        if living_today is None or history_today is None:
            raise CommandError("Ngày không hợp lệ / invalid date (dd/mm/yyyy or yyyy-mm-dd)")
        ctx = DemoContext(rng=random.Random(opts["seed"]), people_count=opts["people"], today=history_today, stdout=self.stdout)
        ctx.province = AdministrativeUnit.objects.get(path="/62/")
        ctx.districts = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.DISTRICT).order_by("code"))
        ctx.communes = list(AdministrativeUnit.objects.filter(path__startswith="/62/", level=Level.COMMUNE).order_by("code"))
        t0 = time.perf_counter()
        with transaction.atomic():
            villages = self._villages(ctx)
            self._facilities(ctx)
            self._users(ctx)
        self.stdout.write(f"  ⏱ villages, facilities, users: {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        from people.demo_generator import generate

        generate([(c, villages[c.pk]) for c in ctx.communes], ctx.people_count, ctx.rng, ctx.today,
                 progress=lambda n: self.stdout.write(f"  … {n:,} người / people", ending="\r"))
        elapsed = time.perf_counter() - t0
        self.stdout.write(f"Người dân / residents: {ctx.people_count:,} trong {elapsed:.1f}s ({ctx.people_count / max(elapsed, 1e-6):,.0f} rows/s)")
        # Fresh planner statistics after each bulk load: without them PostgreSQL estimated 31 people where there were
        # 100,000 and the people list took 2 s instead of 0.2 s (autovacuum would analyse later, the first users not);
        # the apps' builders (doses, then the level assessment over them) plan their queries on these statistics.
        from django.db import connection

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.stdout.write(f"  ⏱ ANALYZE: {time.perf_counter() - t0:.1f}s")
        run_app_builders(ctx)
        if not opts["no_living"]:
            t0 = time.perf_counter()
            self._living(ctx, opts["seed"], living_today)
            self.stdout.write(f"Giai đoạn 90 ngày gần nhất / living era: {time.perf_counter() - t0:.1f}s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Xong dữ liệu mẫu / demo ready in {time.perf_counter() - started:.1f}s"))
        self._print_logins()

    def _living(self, history, seed: int, today) -> None:
        """The living era: the history closed as it ended, the residents re-homed onto the 2025 communes by the real
        flow (people.rehoming, audited), demo users on today's units, then each app's `demo_living.build(ctx)` for the
        last LIVING_DAYS days up to `today`."""
        import datetime as dt

        from django.utils import timezone

        from accounts.models import User
        from geo.models import AdministrativeUnit, UnitCorrespondence
        from people.demo_living import rehome_residents, village_lists, write_population

        links: dict[int, list[int]] = {}
        for old, new in (UnitCorrespondence.objects.filter(old_unit__in=history.communes)
                         .order_by("old_unit_id", "-is_default", "new_unit_id").values_list("old_unit_id", "new_unit_id")):
            links.setdefault(old, []).append(new)
        if not links:
            self.stdout.write("Không có địa giới 2025 cho các xã mẫu / no 2025 successors: living era skipped")
            return
        communes = list(AdministrativeUnit.objects.filter(pk__in={n for news in links.values() for n in news}).order_by("code"))
        province = communes[0].parent
        tz = timezone.get_current_timezone()
        now = timezone.now() if today == timezone.localdate() else dt.datetime.combine(today, dt.time(10, 0), tzinfo=tz)
        # Its own random stream: the living era depends on --seed and --today, not on how much the history drew.
        ctx = DemoContext(rng=random.Random(seed * 1_000_003 + today.toordinal()), people_count=history.people_count,
                          today=today, stdout=self.stdout, province=province, communes=communes, users=history.users,
                          facilities=history.facilities, era="living", now=now, history_communes=history.communes)
        # The history ends as it did (cases released on their dates, follow-ups over, samples reported) before anyone
        # moves: only what is still open when the re-homing runs follows its person to the 2025 commune.
        t0 = time.perf_counter()
        with transaction.atomic():
            run_app_builders(ctx, hook="close_history")
        self.stdout.write(f"  (đóng giai đoạn 2021–2022 / history closed: {time.perf_counter() - t0:.1f}s)")
        t0 = time.perf_counter()
        villages = village_lists(links, {c.pk: c for c in history.communes})
        run = rehome_residents(history.users["health_dept"])
        c = run.counts
        self.stdout.write(f"Chuyển địa bàn / re-homing (people.rehoming, lượt #{run.pk}): {c['moved']:,} người chuyển, "
                          f"{c['address'] + c['unresolved']:,} chờ xem xét / moved, waiting for review "
                          f"({villages} thôn/tổ dân phố trên xã mới / villages listed on the 2025 communes; "
                          f"{time.perf_counter() - t0:.1f}s)")
        n = write_population(communes, today)
        self.stdout.write(f"Địa giới hiện hành / today's map: {n:,} người ở {len(communes)} xã của {province.name}")
        # Province-wide accounts on today's province, commune accounts on the 2025 commune that now governs theirs
        # (they still see their old commune's history: core.scoping). The pre-2025 district account stays on its district.
        successor = {c.pk: c for c in communes}
        for user in history.users.values():
            unit = user.unit
            if unit is None or unit.is_post_2025:
                continue
            if unit.level == "province":
                user.unit = province
            elif unit.level == "commune" and links.get(unit.pk):
                user.unit = successor[links[unit.pk][0]]
            else:
                continue
            User.objects.filter(pk=user.pk).update(unit=user.unit)
        with transaction.atomic():
            run_app_builders(ctx)

    def _villages(self, ctx):
        from geo.models import Village

        by_commune = {}
        objs = []
        for c in ctx.communes:
            kind, label = VILLAGE_KINDS.get(c.kind, ("thon", "Thôn"))
            n = ctx.rng.randint(5, 14)
            names = [f"{label} {i}" for i in range(1, n + 1)]
            if kind == "thon" and ctx.rng.random() < 0.5:
                names[:3] = [f"Làng Kon {ctx.rng.choice(['Klor', 'Tum', 'Rơ Wang', 'Jơ Dri', 'Hơ Drế', 'Mơ Nay'])} {i}" for i in range(1, 4)]
            for name in names:
                objs.append(Village(commune=c, name=name, kind="lang" if name.startswith("Làng") else kind))
        for v in objs:
            from core.text import fold

            v.name_folded = fold(v.name)
        Village.objects.bulk_create(objs, ignore_conflicts=True)
        for v in Village.objects.filter(commune__in=ctx.communes):
            by_commune.setdefault(v.commune_id, []).append(v)
        return by_commune

    def _facilities(self, ctx):
        from facilities.models import Facility, Team

        F = Facility.Kind
        ctx.facilities["provincial_hospital"] = Facility.objects.get_or_create(name="Bệnh viện Đa khoa tỉnh Kon Tum", defaults={"kind": F.PROVINCIAL_HOSPITAL, "unit": ctx.communes[0]})[0]
        ctx.facilities["cdc"] = Facility.objects.get_or_create(name="Trung tâm Kiểm soát bệnh tật tỉnh Kon Tum", defaults={"kind": F.CDC, "unit": ctx.communes[0]})[0]
        for d in ctx.districts:
            Facility.objects.get_or_create(name=f"Trung tâm Y tế {d.name}", defaults={"kind": F.DISTRICT_HEALTH_CENTRE, "unit": d})
        for c in ctx.communes:
            station, _ = Facility.objects.get_or_create(name=f"Trạm Y tế {c.name}", defaults={"kind": F.COMMUNE_HEALTH_STATION, "unit": c, "phone": f"0260{ctx.rng.randint(3000000, 3999999)}"})
            Team.objects.get_or_create(name=f"Tổ chăm sóc F0 {c.name}", defaults={"kind": Team.Kind.CARE_TEAM, "commune": c, "facility": station, "phone": f"09{ctx.rng.randint(10000000, 99999999)}"})
            Team.objects.get_or_create(name=f"Tổ COVID cộng đồng {c.name}", defaults={"kind": Team.Kind.COMMUNITY_TEAM, "commune": c, "facility": station})

    def _users(self, ctx):
        from accounts.models import Agency, User

        agencies = [
            ("Sở Y tế", "SYT", "health"), ("Sở Giáo dục và Đào tạo", "SGDĐT", "department"),
            ("Sở Thông tin và Truyền thông", "STTTT", "department"), ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", "department"),
            ("Sở Công Thương", "SCT", "department"), ("Sở Tài chính", "STC", "department"),
            ("Công an tỉnh", "CAT", "department"), ("Bộ Chỉ huy Quân sự tỉnh", "BCHQS", "department"),
            ("Đài Phát thanh - Truyền hình tỉnh", "PTTH", "media"), ("Báo Kon Tum", "BKT", "media"),
            ("Cổng Thông tin điện tử tỉnh", "CTTĐT", "media"), ("Cục Quản lý thị trường Kon Tum", "QLTT", "department"),
            ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ", "mass_organisation"), ("Tỉnh đoàn", "TĐ", "mass_organisation"),
            ("Ban Quản lý Khu kinh tế tỉnh", "BQLKKT", "department"), ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND", "department"),
        ]
        for name, short, kind in agencies:
            Agency.objects.get_or_create(name=name, defaults={"short_name": short, "kind": kind})
        for d in ctx.districts:
            Agency.objects.get_or_create(name=f"Ủy ban nhân dân {d.name}", defaults={"kind": "peoples_committee", "unit": d})
        first_commune = ctx.communes[0]
        specs = [
            ("leadership", "lanhdao", "Trần Văn Lãnh", "leadership", ctx.province, None),
            ("health_dept", "soyte", "Lê Thị Y Tế", "health_dept", ctx.province, "Sở Y tế"),
            ("district_health", "ttyt_kontum", "Phạm Văn Huyện", "district_health", first_commune.parent, None),
            ("commune_health", "tramyte_quangtrung", "Nguyễn Thị Trạm", "commune_health", first_commune, None),
            ("care_team", "tochamsoc_quangtrung", "Hoàng Văn Chăm", "care_team", first_commune, None),
            ("lab", "xetnghiem", "Đỗ Thị Mẫu", "lab", ctx.province, None),
            ("vaccinator", "tiemchung_quangtrung", "Vũ Thị Tiêm", "vaccinator", first_commune, None),
            ("agency_officer", "sogiaoduc", "Bùi Văn Giáo", "agency_officer", None, "Sở Giáo dục và Đào tạo"),
            ("sysadmin", "quantri", "Quản Trị Viên", "sysadmin", ctx.province, None),
        ]
        for key, username, full_name, role, unit, agency_name in specs:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_demo_user(
                    username=username, full_name=full_name, role=role, unit=unit,
                    agency=Agency.objects.get(name=agency_name) if agency_name else None,
                    is_staff=role == "sysadmin", is_superuser=role == "sysadmin",
                    # The README publishes this password: outside the demo installation it must be changed first.
                    must_change_password=True,
                )
            ctx.users[key] = user

    def _print_logins(self):
        from accounts.models import User

        self.stdout.write(f"\nTài khoản mẫu / demo logins (mật khẩu / password: {DEMO_PASSWORD}):")
        for u in User.objects.filter(username__in=["lanhdao", "soyte", "ttyt_kontum", "tramyte_quangtrung", "tochamsoc_quangtrung", "xetnghiem", "tiemchung_quangtrung", "sogiaoduc", "quantri", "khuvuc"]).order_by("id"):
            self.stdout.write(f"  {u.username:24} {u.get_role_display()}")
        self.stdout.write("  (quantri: bật xác thực hai lớp ở lần đăng nhập đầu / set up two-factor at first login)")
