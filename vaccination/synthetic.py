"""Synthetic national-platform exports for the demo and the benchmarks: plausible doses for registered people.

The file has the documented import layout (docs/vaccination.md) and goes through the real importer, so the demo
and the bench exercise the same COPY + SQL validation path as a user's upload. Deterministic for a given rng.
"""
import csv
import datetime as dt
import io
import random

from django.db import connection

D = dt.date
HEADER = ["STT", "Số CCCD/CMND", "Họ và tên", "Ngày sinh", "Mã xã", "Tên vắc xin", "Loại mũi", "Mũi số", "Ngày tiêm", "Số lô", "Cơ sở tiêm"]
ADULT_PRODUCTS = [("AstraZeneca", 28, 0.40), ("Vero Cell", 21, 0.30), ("Pfizer", 21, 0.20), ("Moderna", 28, 0.10)]
APPROVED = {"AstraZeneca": D(2021, 2, 1), "Vero Cell": D(2021, 6, 3), "Pfizer": D(2021, 6, 12), "Moderna": D(2021, 6, 28)}
BOOSTERS = ["Pfizer", "Moderna", "AstraZeneca"]


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def people_rows():
    """(id_number, full_name, dob or None, birth_year, commune code) of every active person, streamed."""
    with connection.cursor() as cur:
        cur.execute("""SELECT p.id_number, p.full_name, p.date_of_birth, p.birth_year, u.code
                       FROM people_person p JOIN geo_administrativeunit u ON u.id = p.commune_id
                       WHERE p.merged_into_id IS NULL ORDER BY p.id""")
        while True:
            chunk = cur.fetchmany(20000)
            if not chunk:
                break
            yield from chunk


def doses_csv(rows, rng: random.Random, today: dt.date, *, adult_share=(0.97, 0.95, 0.8, 0.6), teen_share=0.9, child_share=0.6) -> tuple[str, int]:
    """CSV text of doses for the given people and the number of doses. Shares: dose 1, dose 2, booster 1, booster 2."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    n = 0
    names, weights = [p[0] for p in ADULT_PRODUCTS], [p[2] for p in ADULT_PRODUCTS]
    intervals = {p[0]: p[1] for p in ADULT_PRODUCTS}
    for id_number, full_name, dob, birth_year, commune_code in rows:
        if isinstance(dob, str):
            dob = dt.date.fromisoformat(dob)
        birth = dob or D(birth_year, 7, 1)
        dob_text = dob.strftime("%d/%m/%Y") if dob else str(birth_year)
        who = (id_number or "", full_name, dob_text, "" if id_number else commune_code)
        doses = []
        age_now = _age(birth, today)
        r = rng.random()
        if age_now >= 18 and r < adult_share[0]:
            # Kon Tum's campaign: AstraZeneca from spring 2021, the other products once approved.
            d1 = D(2021, 4, 1) + dt.timedelta(days=rng.randint(0, 258))
            if _age(birth, d1) < 18 or d1 > today:
                continue
            product = rng.choices(names, weights)[0]
            if APPROVED[product] > d1:
                product = "AstraZeneca"
            doses.append((product, "Cơ bản", 1, d1))
            if r < adult_share[1]:
                d2 = d1 + dt.timedelta(days=intervals[product] + 7 + rng.randint(0, 40))
                # AZ then Pfizer was allowed (mixing, rules-research §5.2) once Pfizer was approved.
                second = "Pfizer" if product == "AstraZeneca" and d2 >= APPROVED["Pfizer"] and rng.random() < 0.3 else product
                if d2 <= today:
                    doses.append((second, "Cơ bản", 2, d2))
                    b1 = d2 + dt.timedelta(days=181 + rng.randint(0, 60))
                    if r < adult_share[2] and b1 <= today:
                        doses.append((rng.choice(BOOSTERS), "Nhắc lại", 1, b1))
                        b2 = b1 + dt.timedelta(days=121 + rng.randint(0, 60))
                        if r < adult_share[3] and b2 <= today:
                            doses.append((rng.choice(BOOSTERS[:2]), "Nhắc lại", 2, b2))
        elif 12 <= age_now < 18 and r < teen_share:
            d1 = D(2021, 10, 20) + dt.timedelta(days=rng.randint(0, 90))
            if not 12 <= _age(birth, d1) or d1 > today:
                continue
            doses.append(("Pfizer", "Cơ bản", 1, d1))
            d2 = d1 + dt.timedelta(days=21 + rng.randint(0, 20))
            if d2 <= today:
                doses.append(("Pfizer", "Cơ bản", 2, d2))
        elif 5 <= age_now < 12 and r < child_share:
            d1 = D(2022, 4, 1) + dt.timedelta(days=rng.randint(0, 180))
            if d1 > today or not 5 <= _age(birth, d1) < 12:
                continue
            doses.append(("Pfizer 5-11", "Cơ bản", 1, d1))
            d2 = d1 + dt.timedelta(days=21 + rng.randint(0, 20))
            if d2 <= today and _age(birth, d2) < 12:
                doses.append(("Pfizer 5-11", "Cơ bản", 2, d2))
        for product, kind, number, day in doses:
            n += 1
            w.writerow((n, who[0], who[1], who[2], who[3], product, kind, number, day.strftime("%d/%m/%Y"),
                        f"{product[:2].upper()}{rng.randint(1000, 9999)}", "Trạm Y tế xã"))
    return out.getvalue(), n
