"""The dose import (vaccination.bulk.DoseImporter), stage 2. Match: dates, products (by every alias), dose kinds and
numbers and communes parsed and looked up with joins on
small frames; people matched by ID number, else by folded name + date of birth + commune, inside the database.

A mixin of DoseImporter: it uses the importer's state and its database plumbing (_x, _push, _pull, _copy_rows).
"""
import datetime as dt
import time

import polars as pl

from core.scoping import visible_commune_ids
from core.text import fold
from geo.eras import START_2025, single_counterparts, wrong_era
from geo.models import Structure

from ..models import DosePolicy, Product, Schedule
from .common import FAR, I32, I64, KIND_WORDS, STR, _day, _frame, _id_refused, _name_refused, _variants


class MatchStage:
    # -- reference data --------------------------------------------------------------------------------------------
    def _reference(self) -> None:
        """Products by every spelling, dose kinds and numbers, communes by GSO code, the schedules picked for each
        (product, age, day range), dose policies and allowed mixes: small lookup frames."""
        from diseases.selectors import default_disease

        prod = {}
        products = list(Product.objects.all())
        fallback = default_disease().pk  # a product without a disease is of the default one (Product.disease's default)
        for p in products:
            for name in [p.code, p.name, p.manufacturer, *p.aliases]:
                for v in _variants(name):
                    prod.setdefault(v, (v, p.pk, _day(p.approved_on), p.disease_id or fallback))
        self.prod = _frame(prod.values(), {"product": STR, "product_id": I64, "approved_day": I32, "disease_id": I64})
        kinds = {}
        for kind, words in KIND_WORDS.items():
            for w in words:
                for v in _variants(w) or [""]:
                    kinds.setdefault(v, (v, kind))
        self.kinds = _frame(kinds.values(), {"kind_txt": STR, "kind": STR})
        self.nums = _frame({(s, i) for i in range(1, 10) for s in (str(i), f"0{i}", f"{i}.0", f"Mũi {i}", f"mũi {i}")},
                           {"number": STR, "dose_number": I32})
        from geo.models import AdministrativeUnit, Level

        seen = {}
        for code, pk, structure in AdministrativeUnit.objects.filter(level=Level.COMMUNE).order_by("structure").values_list("code", "id", "structure"):
            if code not in seen or structure == Structure.PRE_2025:
                seen[code] = pk
        self.units = _frame(seen.items(), {"commune": STR, "unit_id": I64})
        # The communes of the 2025 structure, for the era check of the dose's commune (geo.eras).
        self.units_2025 = list(AdministrativeUnit.objects.filter(structure=Structure.FROM_2025, level=Level.COMMUNE)
                               .values_list("id", flat=True))
        schedules = list(Schedule.objects.all())
        self.sched = _frame([(s.pk, s.primary_doses, s.min_interval_days) for s in schedules],
                            {"schedule_id": I64, "primary_doses": I32, "min_days": I32})
        code_to_id = {p.code: p.pk for p in products}
        self.mix = _frame({(s.pk, code_to_id[c]) for s in schedules for c in (s.mixable_with or []) if c in code_to_id},
                          {"schedule_id": I64, "prev_product": I64})
        self.policy = _frame([
            (_day(p.valid_from), _day(p.valid_to) if p.valid_to else FAR, p.additional_min_days, p.booster_min_days,
             p.booster_next_min_days, p.booster_age_min, p.max_additional, p.max_boosters) for p in DosePolicy.objects.all()],
            {"from_day": I32, "to_day": I32, "additional_min": I32, "booster_min": I32, "booster_next": I32, "age_min": I32,
             "max_additional": I32, "max_boosters": I32})
        self._picks(schedules)
        self._schedule_cover(schedules, {p.pk: p.disease_id or fallback for p in products})
        # The communes the user governs, from core.scoping (the one place that decides jurisdiction).
        visible = visible_commune_ids(self.by)
        self.scoped = visible is not None
        self.scope: list[int] = sorted(visible or ())

    def _picks(self, schedules) -> None:
        """Non-overlapping (product, age, day range) → schedule, as services.schedule_for picks it (the latest
        valid_from among the schedules in force covering the age), and (product, day range) → usable as booster."""
        picks, boosts = [], []
        by_product: dict[int, list[Schedule]] = {}
        for sc in schedules:
            by_product.setdefault(sc.product_id, []).append(sc)

        def segments(items):
            cuts = sorted({_day(x.valid_from) for x in items} | {(_day(x.valid_to) + 1) if x.valid_to else FAR for x in items})
            for a, b in zip(cuts, cuts[1:], strict=False):
                live = [x for x in items if _day(x.valid_from) <= a and (x.valid_to is None or _day(x.valid_to) >= b - 1)]
                if live:
                    yield a, b - 1, live

        for product_id, items in by_product.items():
            for a, b, live in segments(items):
                boosts.append((product_id, a, b, any(x.usable_as_booster for x in live)))
            for age in range(0, 121):
                covering = [x for x in items if x.covers_age(age)]
                for a, b, live in segments(covering):
                    picks.append((product_id, age, a, b, max(live, key=lambda x: x.valid_from).pk))
        self.picks = _frame(picks, {"product_id": I64, "age_key": I32, "from_day": I32, "to_day": I32, "schedule_id": I64})
        self.boosts = _frame(boosts, {"product_id": I64, "from_day": I32, "to_day": I32, "booster_ok": pl.Boolean})

    def _schedule_cover(self, schedules, disease_of: dict[int, int]) -> None:
        """(disease, day range) covered by at least one schedule version, any product or age: a primary dose outside
        them is the rule base's gap (NoRuleInForce), inside them but matching no schedule a product or age mismatch."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for sc in schedules:
            disease = sc.disease_id or disease_of.get(sc.product_id)
            spans.setdefault(disease, []).append((_day(sc.valid_from), _day(sc.valid_to) if sc.valid_to else FAR))
        cover = []
        for disease, items in spans.items():
            merged: list[list[int]] = []
            for a, b in sorted(items):
                if merged and a <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            cover += [(disease, a, b) for a, b in merged]
        self.sched_cover = _frame(cover, {"disease_id": I64, "from_day": I32, "to_day": I32})

    def _parse(self, cur, rows: pl.DataFrame) -> pl.DataFrame:
        """Parse and look up every row, and match people by ID, else by folded name + date of birth + commune."""
        c = pl.col
        names = rows.select(c("full_name").unique()).drop_nulls()
        names = names.with_columns(c("full_name").map_elements(fold, return_dtype=STR).alias("folded"))  # once per spelling
        t = time.perf_counter()
        given = lambda k: (c(k).is_not_null() & (c(k) != "")).alias(f"{k}_given")  # noqa: E731
        x = (rows.lazy().with_columns(c("kind").fill_null("").alias("kind_txt"), c("id_number").fill_null(""),
                                      given("dob"), given("commune"))
             .drop("kind")  # the written kind is now kind_txt; `kind` becomes the parsed one
             .join(self._dates(rows, "dob", "dob").lazy(), on="dob", how="left")
             .join(self._dates(rows, "given", "given").lazy(), on="given", how="left")
             .join(self.prod.lazy(), on="product", how="left")
             .join(self.kinds.lazy(), on="kind_txt", how="left")
             .join(self.nums.lazy(), on="number", how="left")
             .join(self.units.lazy(), on="commune", how="left")
             .join(names.lazy(), on="full_name", how="left")
             # A date given must be a full date: the year alone is not enough.
             .with_columns(*[pl.when(~c("given_year_only")).then(c(k)).alias(k) for k in ("given_day", "given_y", "given_md")],
                           c("dob_year_only").fill_null(False))
             .drop("dob", "given", "product", "kind_txt", "number", "commune", "full_name")
             .collect())
        self._note(t, "parse and look up")
        # The registry's people the file can mean: by ID, and by folded name + birth year + commune (every row that
        # has them: a row whose ID is unknown is matched by name too). The keys go in with COPY, the people come back.
        ids = x.filter(c("id_number") != "").select(c("id_number").unique())
        # Every ID number is checked by the registry's rules (people.rules), matched by name or not: once per number.
        bad_ids = ids.filter(c("id_number").map_elements(_id_refused, return_dtype=pl.Boolean))
        x = x.with_columns(c("id_number").is_in(bad_ids["id_number"].implode()).alias("id_bad"))
        names_bad = names.filter(c("full_name").map_elements(_name_refused, return_dtype=pl.Boolean))
        x = x.with_columns(c("folded").is_in(names_bad["folded"].implode()).alias("name_bad"))
        keys = x.filter(c("unit_id").is_not_null() & c("folded").is_not_null() & c("dob_y").is_not_null()).select(
            "unit_id", "folded", "dob_y").unique()
        people = self._people(cur, ids, keys)
        x = x.join(people.filter(c("by_id")).select(c("id_number"), c("id").alias("id_person"), c("commune_id").alias("id_commune"),
                                                    c("dob").alias("id_dob"), c("birth_year").alias("id_birth_year"))
                   .unique("id_number", keep="first"), on="id_number", how="left")
        # Without a known ID: folded name + birth year + commune, then the full date of birth when both sides have it.
        need = x.filter(c("id_person").is_null() & c("unit_id").is_not_null() & c("dob_y").is_not_null())
        cand = people.select(c("commune_id").alias("unit_id"), c("name_folded").alias("folded"), c("birth_year").alias("dob_y"),
                             c("id").alias("cand_id"), c("dob").alias("cand_dob"))
        row_keys = need.select("unit_id", "folded", "dob_y", "dob_day", "dob_year_only").unique()
        hits = (row_keys.join(cand, on=["unit_id", "folded", "dob_y"])
                .filter(c("dob_year_only") | c("cand_dob").is_null() | (c("cand_dob") == c("dob_day")))
                .group_by("unit_id", "folded", "dob_y", "dob_day", "dob_year_only")
                .agg(pl.len().alias("n"), c("cand_id").min(), c("cand_dob").first())
                .with_columns(pl.when(c("n") == 1).then(c("cand_id")).otherwise(-1).alias("name_hit")))
        t = time.perf_counter()
        x = x.lazy().join(hits.lazy().select("unit_id", "folded", "dob_y", "dob_day", "dob_year_only", "name_hit", "cand_dob"),
                          on=["unit_id", "folded", "dob_y", "dob_day", "dob_year_only"], how="left", nulls_equal=False)
        by_name = c("id_person").is_null() & (c("name_hit") > 0)
        age = c("given_y") - c("dob_y") - (c("given_md") < c("dob_md")).cast(I32)
        x = x.with_columns(
            pl.coalesce(c("id_person"), pl.when(c("name_hit") > 0).then(c("name_hit"))).alias("person_id"),
            pl.when(c("id_person").is_not_null()).then(c("id_commune")).when(by_name).then(c("unit_id")).alias("person_commune_id"),
            # The summary's birth date: the registry's date of birth, else 1 July of the birth year.
            pl.when(c("id_person").is_not_null()).then(pl.coalesce(c("id_dob"), pl.date(c("id_birth_year"), 7, 1).cast(I32)))
              .when(by_name).then(pl.coalesce(c("cand_dob"), pl.date(c("dob_y"), 7, 1).cast(I32))).alias("person_birth_day"),
            pl.when(c("name_hit").is_null()).then(0).when(c("name_hit") < 0).then(2).otherwise(1).alias("name_matches"),
            age.alias("age"), pl.when(age > 120).then(120).otherwise(age).alias("age_key"),
        )
        # The schedule of the product in force on the date given that covers the age; usable as a booster then.
        pick = (x.select("line", "product_id", "age_key", "given_day").join(self.picks.lazy(), on=["product_id", "age_key"])
                .filter(c("given_day").is_between(c("from_day"), c("to_day"))).select("line", "schedule_id"))
        boost = (x.select("line", "product_id", "given_day").join(self.boosts.lazy(), on="product_id")
                 .filter(c("given_day").is_between(c("from_day"), c("to_day"))).select("line", "booster_ok"))
        x = x.join(pick, on="line", how="left").join(boost, on="line", how="left").collect()
        # The dose lies on the person's commune of its date (Person.commune_on): his former, pre-2025 commune for a
        # dose before 01/07/2025 once he was re-homed (geo.eras); scoping keeps reading his current commune.
        formers = people.select(c("id").alias("person_id"), "former_commune_id").unique("person_id")
        x = x.join(formers, on="person_id", how="left").with_columns(
            pl.when((c("given_day") < _day(START_2025)) & c("former_commune_id").is_not_null())
              .then(c("former_commune_id")).otherwise(c("person_commune_id")).alias("dose_commune_id")
        ).drop("former_commune_id")
        # On the other era than its date, that commune's only counterpart takes the dose (geo.eras.counterpart_on:
        # a 2025 dose of someone on a pre-2025 commune that was not split, a 2021 dose of a newcomer on a 2025
        # commune made of one former commune); the rest stays for the era check, which refuses it.
        wrong = self._wrong_era()
        ids = x.filter(wrong.fill_null(False))["dose_commune_id"].unique().to_list()
        single = single_counterparts(ids) if ids else {}
        if single:
            x = x.with_columns(pl.when(wrong.fill_null(False))
                               .then(c("dose_commune_id").replace(list(single), list(single.values())))
                               .otherwise(c("dose_commune_id")).alias("dose_commune_id"))
        self._note(t, "match by name, age, schedule")
        return x

    def _wrong_era(self) -> pl.Expr:
        """Whether a row's dose commune is of the other structure than its date (geo.eras.wrong_era, evaluated once
        for each side of 01/07/2025 and each structure, then applied to every row)."""
        c = pl.col
        start, new_units = _day(START_2025), pl.Series(self.units_2025, dtype=I64)
        before, after = START_2025 - dt.timedelta(days=1), START_2025
        on_new = c("dose_commune_id").is_in(new_units)
        return c("dose_commune_id").is_not_null() & (
            ((c("given_day") < start) & pl.when(on_new).then(pl.lit(wrong_era(Structure.FROM_2025, before)))
             .otherwise(pl.lit(wrong_era(Structure.PRE_2025, before))))
            | ((c("given_day") >= start) & pl.when(on_new).then(pl.lit(wrong_era(Structure.FROM_2025, after)))
               .otherwise(pl.lit(wrong_era(Structure.PRE_2025, after)))))

    def _people(self, cur, ids: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
        """The registry's people (not merged away) with an ID among `ids` or a (commune, folded name, birth year)
        among `keys`, and whether the ID matched."""
        self._push(cur, "vimp_idq", {"id_number": "text"}, ids)
        self._push(cur, "vimp_nameq", {"unit_id": "bigint", "folded": "text", "dob_y": "integer"}, keys)
        cols = (f"p.id, p.id_number, p.commune_id, p.name_folded, p.birth_year, {self._dayno('p.date_of_birth')}, "
                "p.former_commune_id")
        schema = {"id": I64, "id_number": STR, "commune_id": I64, "name_folded": STR, "birth_year": I32, "dob": I32,
                  "former_commune_id": I64, "by_id": I32}
        by_id = "CASE WHEN p.id_number IN (SELECT id_number FROM vimp_idq) THEN 1 ELSE 0 END"
        by_name = "(p.commune_id, p.name_folded, p.birth_year) IN (SELECT unit_id, folded, dob_y FROM vimp_nameq)"
        registry = 0
        if self.pg:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'people_person'::regclass")
            registry = cur.fetchone()[0]
        if not self.probe_registry and (ids.height + keys.height) * self.registry_scan_below >= registry:
            # A province's file against its registry: one pass over the people, both lookups hashed.
            frame = self._pull(cur, f"""SELECT {cols}, {by_id} FROM people_person p
                                        WHERE p.merged_into_id IS NULL AND (p.id_number IN (SELECT id_number FROM vimp_idq)
                                              OR {by_name})""", schema)
        else:
            # A small file against a large registry: index probes (people_person_id_number…, people_dup_idx).
            frame = self._pull(cur, f"""SELECT {cols}, 1 FROM people_person p JOIN vimp_idq q ON q.id_number = p.id_number
                                        WHERE p.merged_into_id IS NULL
                                        UNION
                                        SELECT {cols}, {by_id} FROM people_person p JOIN vimp_nameq q ON q.unit_id = p.commune_id
                                             AND q.folded = p.name_folded AND q.dob_y = p.birth_year
                                        WHERE p.merged_into_id IS NULL""", schema)
        return frame.unique("id").sort("id").with_columns(pl.col("by_id") == 1)
