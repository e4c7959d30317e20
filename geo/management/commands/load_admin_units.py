import time

from django.core.management.base import BaseCommand

from geo.loader import load_admin_units


class Command(BaseCommand):
    help = "Load Vietnam's administrative units (pre-2025 and 2025 structures) and the old→new correspondence."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="Only these pre-2025 province codes (e.g. 62)")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        counts = load_admin_units(set(opts["province"]) if opts["province"] else None)
        self.stdout.write(
            f"Đã nạp / loaded: {counts['pre2025_units']} đơn vị trước 2025, {counts['units_2025']} đơn vị từ 2025, "
            f"{counts['correspondences']} liên kết cũ→mới trong {time.perf_counter() - started:.1f}s"
        )
