"""Case classification judged against the disease's definition (rule kind `case_definition`), data only.

Values of a `case_definition` version (all optional except `classifications` and `confirming_tests`):
    classifications     ["suspected", "probable", "confirmed"] — the classes the disease uses
    suspected_all       clinical signs that must all be present for a suspected case (e.g. fever, maculopapular_rash)
    suspected_any       signs of which at least `suspected_min_any` must be present (e.g. cough, coryza, conjunctivitis)
    suspected_min_any   default 1 when suspected_any is given
    confirming_tests    positive tests that confirm (e.g. ["igm", "pcr"])
    probable_tests      positive tests that make a case probable (e.g. dengue ["igm"])
    epi_link_confirms   an epidemiological link to a confirmed case confirms (measles: true)
    epi_link_probable   an epidemiological link makes a case probable
    signs               [{code, vi, en}] — labels of the disease's clinical signs, for the investigation form
"""
import datetime as dt
from dataclasses import dataclass

from core.errors import Invalid

from .rules import get_disease, in_force

SUSPECTED, PROBABLE, CONFIRMED = "suspected", "probable", "confirmed"
# How the tests of the case definitions read on screens (a pack may add its own under `test_labels`).
TEST_LABELS = {"rt_pcr": ("RT-PCR", "RT-PCR"), "pcr": ("PCR", "PCR"), "rapid_antigen": ("test nhanh kháng nguyên", "rapid antigen test"),
               "igm": ("kháng thể IgM", "IgM antibody"), "ns1": ("kháng nguyên NS1", "NS1 antigen")}
LABELS = {SUSPECTED: ("nghi ngờ", "suspected"), PROBABLE: ("có thể", "probable"), CONFIRMED: ("xác định", "confirmed")}


@dataclass
class Verdict:
    ok: bool
    vi: str = ""
    en: str = ""


def _signs_text(codes, rule) -> tuple[str, str]:
    labels = {s.get("code"): s for s in (rule.value("signs") or []) if isinstance(s, dict)}
    vi = ", ".join(str(labels.get(c, {}).get("vi", c)) for c in codes)
    en = ", ".join(str(labels.get(c, {}).get("en", c)) for c in codes)
    return vi, en


def judge(rule, classification: str, *, test_kind: str = "", epi_link: bool = False, signs=()) -> Verdict:
    """Does `classification` agree with the definition `rule`? A refusal names the rule that applies."""
    src = rule.source_document
    allowed = rule.value("classifications") or [CONFIRMED]
    vi_c, en_c = LABELS.get(classification, (classification, classification))
    if classification not in allowed:
        return Verdict(False, f"Bệnh này không dùng phân loại “ca {vi_c}” ({src}).",
                       f"This disease has no “{en_c}” classification ({src}).")
    signs = set(signs or ())
    confirming_list = list(rule.value("confirming_tests") or [])
    probable_list = list(rule.value("probable_tests") or [])
    confirming, probable_tests = set(confirming_list), set(probable_list)
    own = {e.get("code"): (e.get("vi"), e.get("en")) for e in (rule.value("test_labels") or []) if isinstance(e, dict)}

    def tests_text(codes, lang, joiner):
        return joiner.join(str((own.get(c) or TEST_LABELS.get(c) or (c, c))[lang]) for c in codes)

    if classification == CONFIRMED:
        if test_kind in confirming or (epi_link and rule.value("epi_link_confirms")):
            return Verdict(True)
        how_vi = tests_text(confirming_list, 0, ", ") + (" hoặc liên quan dịch tễ với ca xác định" if rule.value("epi_link_confirms") else "")
        how_en = tests_text(confirming_list, 1, ", ") + (" or an epidemiological link to a confirmed case" if rule.value("epi_link_confirms") else "")
        return Verdict(False, f"Ca xác định phải có xét nghiệm khẳng định dương tính ({how_vi}) theo {src}.",
                       f"A confirmed case needs a positive confirming test ({how_en}) under {src}.")
    if classification == PROBABLE:
        if test_kind in probable_tests | confirming or (epi_link and (rule.value("epi_link_probable") or rule.value("epi_link_confirms"))):
            return Verdict(True)
        return Verdict(False, f"Ca có thể phải có xét nghiệm ({tests_text(probable_list, 0, ', ') or '—'}) hoặc liên quan dịch tễ theo {src}.",
                       f"A probable case needs a test ({tests_text(probable_list, 1, ', ') or '—'}) or an epidemiological link under {src}.")
    # suspected: the clinical picture
    need_all = list(rule.value("suspected_all") or [])
    any_of = list(rule.value("suspected_any") or [])
    min_any = rule.value("suspected_min_any") or (1 if any_of else 0)
    missing = [s for s in need_all if s not in signs]
    if missing or (any_of and len(signs & set(any_of)) < min_any):
        all_vi, all_en = _signs_text(need_all, rule)
        any_vi, any_en = _signs_text(any_of, rule)
        vi = f"Ca nghi ngờ phải có {all_vi}" if need_all else "Ca nghi ngờ phải có"
        en = f"A suspected case needs {all_en}" if need_all else "A suspected case needs"
        if any_of:
            vi += f"{' và ' if need_all else ' '}ít nhất {min_any} trong: {any_vi}"
            en += f"{' and ' if need_all else ' '}at least {min_any} of: {any_en}"
        return Verdict(False, f"{vi} (theo {src}).", f"{en} (under {src}).")
    return Verdict(True)


def check(disease, on: dt.date, classification: str, *, test_kind: str = "", epi_link: bool = False, signs=(),
          field: str = "classification") -> None:
    """Raise Invalid (or NoRuleInForce) when the classification contradicts the definition in force on `on`."""
    rule = in_force(get_disease(disease), "case_definition", on, field="confirmed_on")
    verdict = judge(rule, classification, test_kind=test_kind, epi_link=epi_link, signs=signs)
    if not verdict.ok:
        raise Invalid(verdict.vi, verdict.en, field)
