"""The dose import (vaccination.bulk.DoseImporter), stage 3. Check: the one-row checks as column expressions; the
checks that need other rows (schedule, too many doses,
duplicates, conflicts, order / interval / mixing) as joins and window expressions over the people's recorded doses.

A mixin of DoseImporter: it uses the importer's state and its database plumbing (_x, _push, _pull, _copy_rows).
"""
import time

import polars as pl

from .common import I32, I64, STR, TEXT_LIMITS, _day


class CheckStage:
    def _row_checks(self) -> dict[str, pl.Expr]:
        """code → condition over one staged row, for the checks that need no other row."""
        c = pl.col
        unmatched = c("person_id").is_null()
        checks = {
            "given_date": c("given_day").is_null(),
            "future": c("given_day") > _day(self.today),
            "dob": c("dob_day").is_null() & c("dob_given"),
            "before_birth": (c("given_day") < c("dob_day")) & ~c("dob_year_only"),
            "product": c("product_id").is_null(),
            "kind": c("kind").is_null(),
            "number": c("dose_number").is_null(),
            "commune": c("unit_id").is_null() & c("commune_given"),
            "bad_id": (c("id_number") != "") & c("id_bad"),
            "bad_name": c("name_bad"),
            "ambiguous": unmatched & (c("name_matches") > 1) & ~c("name_bad"),
            "unmatched": unmatched & (c("name_matches") <= 1) & ~c("name_bad"),
            "before_approval": c("given_day") < c("approved_day"),
            "lot": c("lot").str.len_chars() > TEXT_LIMITS["lot"],
            "site": c("site").str.len_chars() > TEXT_LIMITS["site"],
        }
        # A record keeps the unit of its time (geo.eras): a dose still on the other era's commune after the match
        # (which moved it to that commune's only counterpart when there is one) is refused.
        checks["era"] = self._wrong_era()
        if self.scoped:
            checks["out_of_scope"] = c("person_id").is_not_null() & ~c("person_commune_id").is_in(self.scope)
        return checks

    def _fail(self, frame: pl.DataFrame, code) -> None:
        """Add frame's lines to the errors with a code (a string, or an expression giving it per row)."""
        code = pl.lit(code) if isinstance(code, str) else code
        found = frame.select(pl.col("line"), code.cast(STR).alias("code"))
        if found.height:
            self.errors = pl.concat([self.errors, found])

    def _checks(self, cur, s: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
        """Every check; returns the new doses to insert, each touched person's earlier and new doses in order, and
        how many rows are already recorded identically."""
        c = pl.col
        t = time.perf_counter()
        checks = self._row_checks()
        flags = s.select("line", *[cond.fill_null(False).alias(code) for code, cond in checks.items()])
        for code in checks:
            self._fail(flags.filter(c(code)), code)
        self.era_rows = s.join(flags.filter(c("era")).select("line"), on="line").select("line", "given_day", "dose_commune_id")
        # Only the columns the rest needs: every join below copies what it carries.
        ok = (s.select("line", "person_id", "person_commune_id", "dose_commune_id", "product_id", "disease_id", "kind", "dose_number",
                       "given_day", "age", "schedule_id", "booster_ok", "lot", "site")
              .join(self.errors, on="line", how="anti").join(self.sched, on="schedule_id", how="left"))
        extra = ok.filter(c("kind") != "primary").join(self.policy, how="cross").filter(c("given_day").is_between(c("from_day"), c("to_day")))
        unscheduled = ok.filter((c("kind") == "primary") & c("schedule_id").is_null()).select("line", "disease_id", "given_day")
        covered = (unscheduled.join(self.sched_cover, on="disease_id")
                   .filter(c("given_day").is_between(c("from_day"), c("to_day"))).select("line"))
        self.rule_gaps = unscheduled.join(covered, on="line", how="anti")
        self._fail(unscheduled.join(covered, on="line"), "schedule")
        self._fail(self.rule_gaps, "no_schedule_rule")
        self._fail(ok.filter((c("kind") == "primary") & (c("dose_number") > c("primary_doses"))), "too_many")
        self._fail(ok.filter(c("kind") != "primary").join(extra, on="line", how="anti"), "no_policy")
        self._fail(extra.filter((c("age") < c("age_min")) | (c("dose_number") > pl.when(c("kind") == "additional")
                                                             .then(c("max_additional")).otherwise(c("max_boosters")))),
                   pl.when(c("age") < c("age_min")).then(pl.lit("wrong_age")).otherwise(pl.lit("too_many")))
        self._fail(ok.filter((c("kind") != "primary") & ~c("booster_ok").fill_null(False)), "not_booster")
        slot = ["person_id", "kind", "dose_number"]
        by_slot = ok.select("line", *slot).sort(*slot, "line")
        self._fail(by_slot.filter(pl.all_horizontal(*[c(k) == c(k).shift(1) for k in slot])), "duplicate_in_file")
        self._note(t, "one-row checks")
        # The same people's doses already recorded: identical → already present (skipped); different → conflict.
        self._push(cur, "vimp_pq", {"person_id": "bigint"}, ok.select(c("person_id").unique()))
        old = self._pull(cur, f"""SELECT i.person_id, i.dose_kind, i.dose_number, {self._dayno('i.given_on')}, i.product_id,
                                         CASE WHEN i.completes_primary THEN 1 ELSE 0 END, i.schedule_id
                                  FROM vaccination_injection i JOIN vimp_pq q ON q.person_id = i.person_id""",
                         {"person_id": I64, "kind": STR, "dose_number": I32, "given_day": I32, "product_id": I64,
                          "completes": I32, "schedule_id": I64})
        t = time.perf_counter()
        same_slot = ok.join(old.select(*slot, c("given_day").alias("old_day"), c("product_id").alias("old_product")), on=slot)
        self._fail(same_slot.filter((c("old_day") != c("given_day")) | (c("old_product") != c("product_id"))), "conflict")
        # Sequence, interval and mixing, over each person's earlier and new doses together.
        fresh = ok.join(self.errors, on="line", how="anti").join(old, on=slot, how="anti").with_columns(
            ((c("kind") == "primary") & (c("dose_number") == c("primary_doses"))).fill_null(False).cast(I32).alias("completes"))
        cols = ["line", "person_id", "kind", "dose_number", "given_day", "product_id", "schedule_id", "completes"]
        seq = (pl.concat([fresh.select(cols), old.with_columns(pl.lit(None, I64).alias("line")).select(cols)])
               .sort("person_id", "kind", "dose_number"))
        # The previous dose of the same person and kind: the row before, in this order (a shift, not a grouped window).
        same = (c("person_id") == c("person_id").shift(1)) & (c("kind") == c("kind").shift(1))
        seq = (seq.with_columns(*[pl.when(same).then(c(a).shift(1)).alias(b) for a, b in
                                  (("dose_number", "prev_number"), ("given_day", "prev_day"), ("product_id", "prev_product"))])
               .join(self.sched, on="schedule_id", how="left"))
        new = seq.filter(c("line").is_not_null())
        primary = new.filter(c("kind") == "primary")
        self._fail(new.filter(c("dose_number") != c("prev_number").fill_null(0) + 1), "out_of_order")
        self._fail(primary.filter(c("prev_day").is_not_null() & (c("given_day") - c("prev_day") < c("min_days"))), "too_early")
        self._fail(primary.filter(c("prev_product").is_not_null() & (c("prev_product") != c("product_id")))
                   .join(self.mix, on=["schedule_id", "prev_product"], how="anti"), "forbidden_mix")
        # Additional and booster doses: after the completed primary series, at the interval of the policy in force.
        base = seq.group_by("person_id").agg(c("given_day").filter(c("completes") == 1).min().alias("done_day"),
                                             c("given_day").filter(c("kind") == "additional").max().alias("additional_day"))
        later = new.filter(c("kind") != "primary").join(base, on="person_id")
        self._fail(later.filter(c("done_day").is_null() | (c("done_day") > c("given_day"))), "primary_incomplete")
        since = pl.when(c("additional_day").is_not_null() & (c("additional_day") > c("done_day")) & (c("additional_day") < c("given_day"))
                        ).then(c("additional_day")).otherwise(c("done_day"))
        self._fail(later.filter(c("done_day") <= c("given_day")).join(self.policy, how="cross")
                   .filter(c("given_day").is_between(c("from_day"), c("to_day")) & (
                       ((c("kind") == "additional") & (c("given_day") - c("done_day") < c("additional_min")))
                       | ((c("kind") == "booster") & (c("dose_number") == 1) & (c("given_day") - since < c("booster_min")))
                       | ((c("kind") == "booster") & (c("dose_number") > 1) & (c("given_day") - c("prev_day") < c("booster_next"))))),
                   "too_early")
        self.errors = self.errors.unique().sort("line", "code")
        bad = self.errors.select("line").unique()
        present = ok.join(bad, on="line", how="anti").join(old, on=slot, how="semi").height
        new = (fresh.join(bad, on="line", how="anti")
               .select("person_id", "person_commune_id", "dose_commune_id", "product_id", "schedule_id", "kind", "dose_number", "given_day",
                       "lot", "site", "completes").sort("person_id", "kind", "dose_number"))
        seq = seq.join(bad.with_columns(pl.lit(True).alias("refused")), on="line", how="left").with_columns(
            c("refused").fill_null(False))
        self._note(t, "checks against earlier doses")
        return new, seq, present
