"""Reading a Vietnamese administrative directive (công văn, thông báo kết luận, công điện…) into its structure.

Pure functions: text in, a dict out (the contract of `phongdich directives parse FILE --json`). The agency list
comes in as a `catalog.Catalog`, so the rules can be tested without a database.

The text is taken as extracted from the originals: page breaks, footnotes ("…Nguyễn Xuân Phúc1 về…" with the
note at the page foot), stray line breaks, a subject line that lands in the middle of the body. Steps:

1. clean: NFC, drop markdown emphasis, cut the footnotes out (kept for references), drop footnote markers;
2. header: kind, number, place and date, issuer, subject ("V/v …"), addressees ("Kính gửi: …");
3. paragraphs: lines are joined unless a line ends a sentence and the next starts a new item/bullet/paragraph;
4. body: numbered items ("1.", "2."…), their bullets ("- ") and trailing paragraphs become tasks;
5. per task: the agencies named at its start (or its item's heading), coordinating agencies ("phối hợp với …"),
   deadlines and recurrences;
6. footer: signer and capacity (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH), distribution list ("Nơi nhận").
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from core.text import fold

from .catalog import Catalog

# ---------------------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------------------
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DAY = r"(?P<d>\d{1,2})"
_DATE_WORDS = _DAY + r"\s+tháng\s+(?P<m>\d{1,2})(?:\s+năm\s+(?P<y>\d{4}))?"
_DATE_SLASH = _DAY + r"\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?"
_BEFORE = r"(?:hoàn\s+thành\s+)?(?:trước|chậm\s+nhất(?:\s+(?:là|đến|vào))?|hạn\s+chót|không\s+quá|đến\s+hết|trong\s+ngày|xong\s+trước)"

DEADLINE_PATTERNS = [
    ("date", re.compile(_BEFORE + r"\s+(?:ngày\s+)?" + _DATE_WORDS, re.I)),
    ("date", re.compile(_BEFORE + r"\s+(?:ngày\s+)?" + _DATE_SLASH + r"(?!\s*tuổi)", re.I)),
    ("month", re.compile(r"(?:trong|hết|cuối|đến\s+hết)\s+tháng\s+(?P<m>\d{1,2})\s*(?:[/.\-]|\s+năm\s+)\s*(?P<y>\d{4})", re.I)),
    ("quarter", re.compile(r"(?:trong|hết|cuối|đến\s+hết)\s+quý\s+(?P<q>IV|III|II|I|[1-4])\s*(?:[/.\-]|\s+năm\s+)\s*(?P<y>\d{4})", re.I)),
    ("year", re.compile(r"(?:trong|hết|cuối|đến\s+hết)\s+năm\s+(?P<y>\d{4})", re.I)),
]
_TIME = r"(?P<h>\d{1,2})\s*(?:h|giờ|g)\s*(?P<mi>\d{2})?(?:\s*phút)?"
_MONTHLY = r"(?:hàng|hằng|mỗi)\s+tháng"
RECURRENCE_PATTERNS = [
    # "trước ngày 25 hằng tháng", "trước 16 giờ ngày 25 hằng tháng", "vào ngày 20 hằng tháng"
    ("month", re.compile(r"(?:trước|chậm\s+nhất(?:\s+(?:là|vào))?|vào|định\s+kỳ\s+vào)\s+(?:" + _TIME + r"\s+)?ngày\s+(?P<md>\d{1,2})\s+"
                         + _MONTHLY, re.I)),
    # "hằng tháng, trước ngày 25", "định kỳ hằng tháng (trước ngày 25)", "báo cáo hằng tháng vào ngày 20"
    ("month", re.compile(_MONTHLY + r"\s*[,(]?\s*(?:trước|chậm\s+nhất(?:\s+(?:là|vào))?|vào)\s+(?:" + _TIME + r"\s+)?ngày\s+(?P<md>\d{1,2})", re.I)),
    ("day", re.compile(r"trước\s+" + _TIME + r"\s*(?:,\s*)?(?:hàng|hằng|mỗi)\s+ngày", re.I)),
    ("day", re.compile(r"(?:hàng|hằng|mỗi)\s+ngày\s*(?:,\s*)?(?:trước|chậm\s+nhất(?:\s+lúc)?)\s+" + _TIME, re.I)),
    ("week", re.compile(r"trước\s+" + _TIME + r"\s+(?:ngày\s+)?(?P<wd>thứ\s+\w+|chủ\s+nhật)\s+(?:hàng|hằng|mỗi)\s+tuần", re.I)),
    ("week", re.compile(r"(?:hàng|hằng|mỗi)\s+tuần\s*(?:,\s*)?(?:vào\s+)?(?:trước\s+" + _TIME + r"\s+)?(?:ngày\s+)?(?P<wd>thứ\s+\w+|chủ\s+nhật)", re.I)),
]
_WEEKDAYS = {"thu hai": "monday", "thu ba": "tuesday", "thu tu": "wednesday", "thu nam": "thursday", "thu sau": "friday",
             "thu bay": "saturday", "chu nhat": "sunday", "thu 2": "monday", "thu 3": "tuesday", "thu 4": "wednesday",
             "thu 5": "thursday", "thu 6": "friday", "thu 7": "saturday"}


def _end_of_month(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


_RELATIVE = re.compile(r"(?:trong|trong\s+thời\s+hạn|trong\s+vòng|chậm\s+nhất(?:\s+là)?|không\s+quá)\s+(?P<n>\d{1,3})\s+ngày(?P<w>\s+làm\s+việc)?"
                       r"(?:\s*,?\s*kể\s+từ\s+ngày\s+(?:ký|ban\s+hành)(?:\s+văn\s+bản(?:\s+này)?)?)?", re.I)


def _add_days(base: dt.date, n: int, working: bool) -> dt.date:
    if not working:
        return base + dt.timedelta(days=n)
    day = base
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def find_deadlines(text: str, default_year: int | None = None, base_date: dt.date | None = None) -> list[dict]:
    """Every deadline in a task's text, in order: [{"date": date, "form": ..., "span": (start, end)}].
    "trong 05 ngày (làm việc) kể từ ngày ký" counts from `base_date` (the directive's date) when it is known."""
    found = []
    taken: list[tuple[int, int]] = []
    if base_date is not None:
        for m in _RELATIVE.finditer(text):
            day = _add_days(base_date, int(m["n"]), bool(m["w"]))
            taken.append(m.span())
            found.append({"date": day, "form": "relative", "span": m.span(), "text": m.group(0)})
    for form, pattern in DEADLINE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            g = m.groupdict()
            y = int(g["y"]) if g.get("y") else default_year
            if y is None:
                continue
            try:
                if form == "date":
                    day = dt.date(y, int(g["m"]), int(g["d"]))
                elif form == "month":
                    day = _end_of_month(y, int(g["m"]))
                elif form == "quarter":
                    day = _end_of_month(y, 3 * _ROMAN[g["q"].lower()])
                else:
                    day = dt.date(y, 12, 31)
            except ValueError:
                continue
            taken.append(m.span())
            found.append({"date": day, "form": form, "span": m.span(), "text": m.group(0)})
    return sorted(found, key=lambda f: f["span"][0])


def find_recurrence(text: str) -> dict | None:
    """"trước 14h00 hàng ngày" → {"every": "day", "before": "14:00"}; weekly forms add "day" (a weekday), monthly
    forms ("trước ngày 25 hằng tháng") add "day" (the day of the month)."""
    for every, pattern in RECURRENCE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        out: dict = {"every": every}
        if g.get("h"):
            out["before"] = f"{int(g['h']):02d}:{int(g.get('mi') or 0):02d}"
        else:
            out["before"] = None
        if every == "week":
            out["day"] = _WEEKDAYS.get(fold(g["wd"]), fold(g["wd"]))
        if every == "month":
            day = int(g["md"])
            if not 1 <= day <= 31:
                continue
            out["day"] = day
        return out
    return None


# ---------------------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\w+(?:[&/]\w+)*|[^\w\s]")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) over the original text."""
    return [(fold(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _fold_tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in _tokens(text))


# Collective addressees (folded token sequences; "?" marks an optional token) → catalog groups.
_COLLECTIVES: list[tuple[str, tuple[str, ...]]] = []


# People's Committees of the districts ("Ủy ban nhân dân các huyện, thị xã, thành phố", "cấp huyện", "các địa phương")
_DISTRICT_RE = re.compile(
    r"^(?:chu tich )?(?:uy ban nhan dan|ubnd)(?: ,)?(?: truong ban chi dao)? "
    r"(?:cac huyen(?: ,)?(?: thi xa(?: ,)?)?(?: thanh pho)?|cac huyen , thanh pho|cap huyen)"
    r"|^(?:cac )?dia phuong|^(?:truong ban chi dao )?cap huyen"
)
_DEPARTMENTS_RE = re.compile(
    r"^(?:cac )?so(?: ,)? ban(?: ,)? nganh(?:(?: ,)? (?:don vi|doan the|co quan))*(?: (?:thuoc )?(?:ubnd |uy ban nhan dan )?tinh)?"
    r"|^(?:cac )?co quan(?: ,)? don vi(?: khac| thuoc tinh)?"
    r"|^cac don vi(?: thuoc tinh)?"
)
# People's Committees of the communes of the two-level government (from 01/07/2025: no districts, and "đặc khu"
# special zones beside communes and wards): "UBND các xã, phường, đặc khu", "Chủ tịch UBND các xã, phường".
_COMMUNES_2025_RE = re.compile(
    r"^(?:chu tich )?(?:uy ban nhan dan|ubnd)(?: ,)?(?: truong ban chi dao)? "
    r"cac (?:xa , phuong , dac khu|xa , phuong(?! , thi tran)|phuong , xa(?: , dac khu)?|xa , dac khu)"
    r"|^(?:cac )?xa , phuong , dac khu"
)
_MASS_RE = re.compile(r"^(?:cac )?to chuc chinh tri - xa hoi(?: tinh)?|^(?:cac )?doan the(?: tinh)?")
_COMMUNE_RE = re.compile(r"^(?:ubnd |uy ban nhan dan )?(?:cac xa , phuong , thi tran|cap xa|xa)\b")

# Words that may stand between agency names at the start of a task.
_CONNECTORS = {
    ",", ";", "va", "voi", "cac", "(", ")", "-", ":", "thu", "truong", "chu", "tich", "giam", "doc", "giao", "yeu", "cau", "de", "nghi",
}
_LEADING_PHRASES = [
    ("thu", "truong"), ("chu", "tich"), ("giam", "doc"), ("yeu", "cau"), ("de", "nghi"), ("giao", "cho"), ("giao",), ("cac",), ("(",),
]
_CONNECTOR_PHRASES = [
    ("thu", "truong"), ("chu", "tich"), ("giam", "doc"), ("chu", "tri", "voi"), ("chu", "tri", ",", "phoi", "hop", "voi"),
    ("chu", "tri", "phoi", "hop", "voi"), ("va",), (",",), (";",), ("(",), (")",), ("cac",), ("-",),
]
# Words that start an organisation's name: an unknown one is offered as a new agency.
_ORG_HEADS = {"so", "ban", "uy", "ubnd", "dai", "cong", "cuc", "chi", "tieu", "tinh", "doan", "van", "trung", "benh", "hoi",
              "lien", "thanh", "kho", "co", "phong", "bo", "vien", "truong", "cang", "hai", "quan"}
_ORG_HEAD_PHRASES = [("so",), ("ban",), ("uy", "ban"), ("ubnd",), ("dai",), ("cong", "an"), ("cuc",), ("chi", "cuc"),
                     ("tieu", "ban"), ("doan",), ("van", "phong"), ("trung", "tam"), ("benh", "vien"), ("hoi",),
                     ("lien", "doan"), ("thanh", "tra"), ("kho", "bac"), ("co", "quan"), ("phong",), ("bo", "chi", "huy"),
                     ("vien",), ("cang",), ("quan", "doan")]
# Verbs that end a new agency's name ("Đoàn thanh niên cấp huyện huy động…").
_VERBS = {"tiep", "co", "phai", "to", "thuc", "tang", "chi", "ra", "trien", "chu", "xay", "khan", "theo", "tich", "phoi", "de",
          "can", "huong", "kiem", "bao", "dam", "tong", "xem", "huy", "thong", "khong", "nghien", "quan", "day", "lam"}
_NAME_STOPS = {"truoc", "ve", "de", "tai", "trong", "khi", "nham", "doi", "sau", "cho", "tu", "den"}
_VERB_PHRASES = [("bao", "cao"), ("tham", "muu"), ("kiem", "soat"), ("cap", "nhat"), ("phan", "cong"), ("ban", "hanh"),
                 ("xu", "ly"), ("giam", "sat"), ("chuan", "bi"), ("bo", "tri"), ("thanh", "lap"), ("tuyen", "truyen"),
                 ("van", "dong"), ("ho", "tro"), ("dieu", "tra"), ("truy", "vet"), ("xet", "nghiem"), ("tiem",), ("lap",),
                 ("phat", "hien"), ("duy", "tri"), ("day", "nhanh"), ("nang", "cao"), ("sap", "xep"), ("rut",),
("tiep", "tuc"), ("co",), ("phai",), ("to", "chuc"), ("thuc", "hien"), ("tang", "cuong"), ("chi", "dao"),
                 ("ra", "soat"), ("trien", "khai"), ("chu", "dong"), ("xay", "dung"), ("khan", "truong"), ("theo",), ("tich", "cuc"),
                 ("phoi", "hop"), ("de", "cao"), ("can",), ("huong", "dan"), ("kiem", "tra"), ("bao", "dam"), ("dam", "bao"),
                 ("tong", "hop"), ("xem", "xet"), ("huy", "dong"), ("thong", "bao"), ("khong",), ("nghien", "cuu"),
                 ("quan", "tam"), ("day", "manh"), ("lam",), ("chu", "tri")]


def _starts(seq: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(seq[i:i + len(phrase)]) == phrase


@dataclass
class Mention:
    names: list[str]  # canonical agency names (several for a collective addressee)
    start: int
    end: int
    text: str
    known: bool = True
    collective: str | None = None


class AgencyMatcher:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.aliases: list[tuple[tuple[str, ...], str]] = []
        for a in catalog.agencies:
            forms = [a.name, *a.aliases]
            if a.district:
                d = a.district
                bare = re.sub(r"^(Huyện|Thành phố|Thị xã|Quận)\s+", "", d)
                forms += [f"Ủy ban nhân dân {d}", f"UBND {d}", f"Ủy ban nhân dân {bare}", f"UBND {bare}"]
            for f in forms:
                toks = _fold_tokens(f.replace("–", "-"))
                if toks:
                    self.aliases.append((toks, a.name))
        self.aliases.sort(key=lambda x: -len(x[0]))
        # Elliptic lists: "Các Sở Thông tin và Truyền thông, Y tế" → Sở Y tế.
        self.so_tails = [(toks[1:], name) for toks, name in self.aliases if toks[0] == "so" and len(toks) > 1]

    # -- one position -------------------------------------------------------------------------------------
    def _known_at(self, seq, i, after_so_list=False):
        for toks, name in self.aliases:
            if _starts(seq, i, toks):
                return len(toks), name
        if after_so_list:
            for toks, name in self.so_tails:
                if _starts(seq, i, toks):
                    return len(toks), name
        return None

    def _collective_at(self, seq, i):
        rest = " ".join(seq[i:i + 14])
        for rx, group in ((_COMMUNES_2025_RE, "communes"), (_DISTRICT_RE, "districts"), (_DEPARTMENTS_RE, "departments"),
                          (_MASS_RE, "mass_organisations")):
            m = rx.match(rest)
            if m:
                groups = [group]
                if group == "departments" and " doan the" in m.group(0):
                    groups.append("mass_organisations")  # "các sở, ban, ngành, đoàn thể tỉnh"
                return len(m.group(0).split()), groups
        return None

    def subject(self, text: str) -> tuple[list[Mention], int]:
        """Agencies named at the start of `text` (its grammatical subject), and where the subject ends."""
        toks = _tokens(text.replace("–", "-"))
        seq = [t for t, _, _ in toks]
        i, out = 0, []
        after_so_list = False
        paren = 0
        while i < len(seq):
            # connectors
            hit = next((p for p in (_CONNECTOR_PHRASES if out else _LEADING_PHRASES) if _starts(seq, i, p)), None)
            if hit:
                if hit == ("(",):
                    paren += 1
                elif hit == (")",):
                    paren = max(0, paren - 1)
                i += len(hit)
                continue
            known = self._known_at(seq, i, after_so_list)
            if known:
                n, name = known
                out.append(Mention([name], toks[i][1], toks[i + n - 1][2], text[toks[i][1]:toks[i + n - 1][2]]))
                after_so_list = after_so_list or (seq[i] == "so" and i > 0 and seq[i - 1] == "cac")
                i += n
                continue
            coll = self._collective_at(seq, i)
            if coll:
                n, groups = coll
                names = [name for g in groups for name in self.catalog.group(g)]
                said = text[toks[i][1]:toks[i + n - 1][2]]
                if names:
                    out.append(Mention(names, toks[i][1], toks[i + n - 1][2], said, collective="+".join(groups)))
                else:  # nothing to fan out to (e.g. the districts are not loaded yet): keep what the text says
                    out.append(Mention([said], toks[i][1], toks[i + n - 1][2], said, known=False))
                i += n
                continue
            m = _COMMUNE_RE.match(" ".join(seq[i:i + 8]))
            if m and out:
                # Commune level: reached through the districts' People's Committees.
                i += len(m.group(0).split())
                continue
            if any(_starts(seq, i, p) for p in _ORG_HEAD_PHRASES) and not any(_starts(seq, i, v) for v in _VERB_PHRASES):
                j = i + 1
                while j < len(seq) and seq[j] not in {";", ":", "(", ")", "."}:
                    if seq[j] == "," and (any(_starts(seq, j + 1, p) for p in _ORG_HEAD_PHRASES) or self._known_at(seq, j + 1)):
                        break
                    if seq[j] == "va" and (any(_starts(seq, j + 1, p) for p in _ORG_HEAD_PHRASES) or self._known_at(seq, j + 1)):
                        break
                    word = text[toks[j][1]:toks[j][2]]
                    # Names are capitalised ("Trung tâm Kiểm soát bệnh tật"); a lower-case verb or preposition ends them.
                    if word[:1].islower() and (any(_starts(seq, j, v) for v in _VERB_PHRASES) or seq[j] in _NAME_STOPS):
                        break
                    if j - i >= 14:
                        break
                    j += 1
                if j - i >= 2 and j < len(seq):
                    name = text[toks[i][1]:toks[j - 1][2]].strip(" ,")
                    out.append(Mention([name], toks[i][1], toks[j - 1][2], name, known=False))
                    i = j
                    continue
            break
        end = toks[i][1] if i < len(toks) else len(text)
        return out, end

    def mentions_after(self, text: str, cue: re.Pattern) -> list[Mention]:
        """Agencies named after a cue such as "phối hợp với" (coordinating agencies)."""
        out = []
        for m in cue.finditer(text):
            mentions, _ = self.subject(text[m.end():])
            out.extend(mentions)
        return out


def _names(mentions: list[Mention]) -> list[str]:
    seen, out = set(), []
    for m in mentions:
        for n in m.names:
            if n not in seen:
                seen.add(n)
                out.append(n)
    return out


# ---------------------------------------------------------------------------------------------------------
# Text clean-up and paragraphs
# ---------------------------------------------------------------------------------------------------------
_FOOTNOTE_RULE = re.compile(r"^[ \t\u00a0]{15,}$|^_{5,}\s*$")
_BULLET = re.compile(r"^[-–+•*]\s*(?=\S)")
_ITEM = re.compile(r"^(?P<n>\d{1,2})\.\s+(?=\S)")
_SECTION = re.compile(r"^(?P<n>[IVX]{1,5})\.\s+(?=\S)")
_SUBITEM = re.compile(r"^(?:(?P<a>[a-zđ])\)|(?P<b>\d{1,2}\.\d{1,2})\.?)\s+(?=\S)")
_SENTENCE_END = re.compile(r"[.;:!?…]\s*(?:/\.)?\s*$|\./\.\s*$")
_MARKERS = re.compile(r"^(Kính gửi|Nơi nhận|KT\.|TM\.|TL\.|TUQ\.|Số:|V/v)", re.I)


@dataclass
class Paragraph:
    text: str
    kind: str  # "item", "bullet", "text"
    number: str | None = None


def clean(text: str) -> tuple[list[str], list[str], list[str]]:
    """(body lines, footnote texts, warnings)."""
    warnings = []
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).replace("\u00a0", " ")
    text = text.replace("**", "").replace("\f", "\n")
    text = re.sub(r"_\{(\w+)\}", r"\1", text)
    if "\ufffd" in text:
        warnings.append("Có ký tự không đọc được (�): kiểm tra lại văn bản gốc. / Unreadable characters (�): check the original.")
    lines = text.split("\n")
    body, notes = [], []
    in_note = False
    for line in lines:
        if _FOOTNOTE_RULE.match(line):
            in_note = True
            continue
        if in_note:
            if re.match(r"^ \S", line) or re.match(r"^\s*-\s", line) and not re.match(r"^\d", line.strip()):
                in_note = False  # a new page starts (extracted pages begin with a space)
            else:
                if line.strip():
                    if re.match(r"^\d{1,2}\s", line.strip()) or not notes:
                        notes.append(line.strip())
                    else:
                        notes[-1] += " " + line.strip()
                continue
        body.append(line.rstrip())
    return body, notes, warnings


def _strip_note_markers(line: str, note_numbers: set[str]) -> str:
    if not note_numbers:
        return line

    def repl(m):
        return m.group(1) if m.group(2) in note_numbers else m.group(0)

    return re.sub(r"([^\W\d_]{2,}|\))(\d{1,2})(?=[\s.,;:)]|$)", repl, line)


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join lines into paragraphs; items ("1. …") and bullets ("- …") start new ones."""
    content = [ln.strip() for ln in lines if ln.strip()]
    lengths = sorted(len(ln) for ln in content) or [0]
    typical = lengths[int(len(lengths) * 0.75)] if lengths else 0
    wrapped = typical < 120
    out: list[Paragraph] = []
    prev = ""
    for ln in content:
        hard = bool(_SENTENCE_END.search(prev)) if prev else True
        short = wrapped and len(prev) < 0.7 * typical
        shortish = wrapped and len(prev) < 0.85 * typical
        new = None
        if _SECTION.match(ln) and (hard or short or not prev):
            m = _SECTION.match(ln)
            new = Paragraph(ln[m.end():], "section", m["n"])
        elif _ITEM.match(ln) and (hard or short or not prev):
            m = _ITEM.match(ln)
            new = Paragraph(ln[m.end():], "item", m["n"])
        elif _SUBITEM.match(ln) and (hard or shortish or not prev):
            new = Paragraph(_SUBITEM.sub("", ln), "bullet")
        elif _BULLET.match(ln) and (hard or shortish or not prev):
            new = Paragraph(_BULLET.sub("", ln), "bullet")
        elif not prev or (hard and (short or not wrapped) and ln[:1].isupper()) or _MARKERS.match(ln):
            new = Paragraph(ln, "text")
        if new is not None or not out:
            out.append(new or Paragraph(ln, "text"))
        else:
            last = out[-1]
            if last.text.endswith("-") and not last.text.endswith(" -"):
                last.text += ln
            else:
                last.text += " " + ln
        prev = ln
    for p in out:
        p.text = re.sub(r"\s+", " ", p.text).strip()
    return out


# ---------------------------------------------------------------------------------------------------------
# Header and footer
# ---------------------------------------------------------------------------------------------------------
_KINDS = [
    ("công điện", r"^CÔNG ĐIỆN\b", r"/CĐ-"), ("thông báo kết luận", r"^THÔNG BÁO\b", r"/TB-"), ("kế hoạch", r"^KẾ HOẠCH\b", r"/KH-"),
    ("quyết định", r"^QUYẾT ĐỊNH\b", r"/QĐ-"), ("chỉ thị", r"^CHỈ THỊ\b", r"/CT-"), ("báo cáo", r"^BÁO CÁO\b", r"/BC-"),
    ("tờ trình", r"^TỜ TRÌNH\b", r"/TTr-"), ("công văn", r"^CÔNG VĂN\b", r"/[A-ZĐ]+-[A-ZĐ]+$"),
]
_REF = re.compile(
    r"(?P<kind>Nghị quyết|Nghị định|Quyết định|Chỉ thị|Kế hoạch|Công điện|Thông báo|Văn bản|Công văn|Thông tư|Hướng dẫn|Kết luận)"
    r"\s+số\s+(?P<number>\d+[\w/\-.&]*\w)"
    r"(?:\s*,?\s*ngày\s+(?:(?P<d1>\d{1,2})\s+tháng\s+(?P<m1>\d{1,2})\s+năm\s+(?P<y1>\d{4})|(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})))?"
)
_PLACE_DATE = re.compile(r"^(?P<place>[^\d,]{2,40}),\s*ngày\s+(?P<d>\d{1,2})?\s*tháng\s+(?P<m>\d{1,2})?\s*năm\s+(?P<y>\d{4})?", re.M)
_CAPACITY = re.compile(r"\b(?P<cap>(?:KT|TM|TL|TUQ)\.\s*[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ .]+)", re.U)
_UPPER_LINE = re.compile(r"^[A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ .]{4,}$")


def _date(d, m, y) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except (TypeError, ValueError):
        return None


def _references(texts: list[str]) -> list[dict]:
    refs: dict[str, dict] = {}
    for text in texts:
        for m in _REF.finditer(text):
            number = m["number"].rstrip(".")
            date = _date(m["d1"], m["m1"], m["y1"]) or _date(m["d2"], m["m2"], m["y2"])
            if number in refs:
                refs[number]["date"] = refs[number]["date"] or date
                continue
            refs[number] = {"kind": m["kind"].lower(), "number": number, "date": date}
    return list(refs.values())


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(signer, capacity) from the end of the document."""
    content = [ln.strip() for ln in lines if ln.strip()]
    signer = None
    for ln in reversed(content[-6:]):
        words = ln.split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and not _UPPER_LINE.match(ln) and not ln.startswith("-"):
            signer = ln
            break
    tail = "\n".join(content[-30:])
    cap = None
    m = _CAPACITY.search(tail)
    if m:
        parts = [m["cap"].strip()]
        after = tail[m.end():].split("\n")
        for ln in after[1:]:
            s = ln.strip()
            if _UPPER_LINE.match(s) and len(s) < 40:
                parts.append(s)
                break
        cap = " / ".join(parts)
    else:
        for ln in content[-8:]:
            if _UPPER_LINE.match(ln) and len(ln) < 40 and ln not in ("THÔNG BÁO",):
                cap = ln
                break
    return signer, cap


def _issuer(header: list[str], body_text: str) -> str | None:
    top = [ln.strip() for ln in header[:8] if ln.strip()]
    for i, ln in enumerate(top):
        if ln.upper() == ln and re.match(r"^(ỦY BAN NHÂN DÂN|UBND|BAN CHỈ ĐẠO|SỞ |VĂN PHÒNG|BỘ )", ln):
            name = ln
            if i + 1 < len(top) and top[i + 1].upper() == top[i + 1] and not top[i + 1].startswith("CỘNG HÒA"):
                name += " " + top[i + 1]
            return _title_case_issuer(name)
    m = re.search(r"Văn phòng (?:Ủy ban nhân dân|UBND) tỉnh thông báo", body_text)
    if m:
        return "Văn phòng Ủy ban nhân dân tỉnh"
    if re.search(r"(?:Ủy ban nhân dân|UBND) tỉnh (?:yêu cầu|giao|chỉ đạo|đề nghị)", body_text):
        return "Ủy ban nhân dân tỉnh"
    return None


def _title_case_issuer(upper: str) -> str:
    s = upper.title()
    s = s.replace("Ủy Ban Nhân Dân", "Ủy ban nhân dân").replace("Tỉnh ", "tỉnh ").replace("Thành Phố ", "thành phố ")
    s = s.replace("Ban Chỉ Đạo", "Ban Chỉ đạo").replace("Văn Phòng", "Văn phòng").replace("Sở Y Tế", "Sở Y tế")
    return s


# ---------------------------------------------------------------------------------------------------------
# The whole document
# ---------------------------------------------------------------------------------------------------------
_CLOSING = re.compile(
    r"^(?:Yêu cầu|Đề nghị) (?:các|Thủ trưởng)[^.]{0,120}(?:thực hiện|triển khai)[^.]{0,40}\.?/?\.?$|"
    r"^(?:Văn phòng|Trên đây)[^.]{0,160}(?:biết|thông báo)[^.]{0,80}\.?/?\.?$"
)
_COORD_CUE = re.compile(r"\bphối hợp(?: chặt chẽ)?(?: với)?\s+|\bchủ trì(?:,)?(?: phối hợp)? với\s+", re.I)


def parse(text: str, catalog: Catalog) -> dict:
    lines, notes, warnings = clean(text)
    note_numbers = {re.match(r"^(\d{1,2})", n).group(1) for n in notes if re.match(r"^\d{1,2}\s", n)}
    lines = [_strip_note_markers(ln, note_numbers) for ln in lines]

    # --- split: header | addressees | body | footer ("Nơi nhận")
    idx_kg = next((i for i, ln in enumerate(lines) if re.match(r"^\s*Kính gửi", ln) or (i < 40 and re.search(r"\bđiện\s*:\s*$", ln))), None)
    idx_nn = next((i for i, ln in enumerate(lines) if re.match(r"^\s*Nơi nhận", ln)), len(lines))
    if idx_kg is not None:
        head_end = idx_kg
    else:  # no "Kính gửi" (notices, plans, decisions): the header runs to the first numbered part or item
        head_end = next((i for i, ln in enumerate(lines[:idx_nn]) if _ITEM.match(ln.strip()) or _SECTION.match(ln.strip())), 0)
    header = lines[:head_end]
    footer = lines[idx_nn:]

    # Subject lines ("V/v …") may land anywhere (page headers); take them out of the body.
    subject = None
    body_lines = []
    rest = lines[head_end:idx_nn]
    i = 0
    all_before_body = header + rest
    first_item = next((k for k, ln in enumerate(all_before_body) if _ITEM.match(ln.strip())), len(all_before_body))
    while i < len(all_before_body):
        ln = all_before_body[i]
        if re.match(r"^\s*V/v\b", ln) or (i < first_item and re.match(r"^\s*Về việc\b", ln)):
            parts = [re.sub(r"^(?:V/v|Về việc)\s*:?\s*", "", ln.strip())]
            j = i + 1
            limit = len(header) if i < len(header) else len(all_before_body)
            while j < limit and j < i + 6 and all_before_body[j].strip() and not all_before_body[j].rstrip().endswith(":") and not re.match(r"^\s", all_before_body[j]) \
                    and not _PLACE_DATE.match(all_before_body[j].strip()) and not _MARKERS.match(all_before_body[j].strip()) \
                    and not any(rx.match(all_before_body[j].strip()) for rx in (_ITEM, _SECTION, _BULLET, _UPPER_LINE)):
                parts.append(all_before_body[j].strip())
                j += 1
            subject = subject or " ".join(parts)
            i = j
            continue
        if i >= len(header):
            body_lines.append(ln)
        i += 1

    # Addressees
    addressees: list[str] = []
    if idx_kg is not None:
        first = re.sub(r"^\s*Kính gửi\s*:?\s*|^.*\bđiện\s*:\s*$", "", body_lines[0]).strip() if body_lines else ""
        k = 1
        if first:
            addressees.append(first.strip(" ;.-"))
        while k < len(body_lines):
            s = body_lines[k].strip()
            if not s:
                k += 1
                continue
            if _BULLET.match(s):
                addressees.append(_BULLET.sub("", s).strip().rstrip(";.").strip())
                k += 1
                continue
            break
        body_lines = body_lines[k:]

    # Kind, number, date
    joined_header = "\n".join([ln.strip() for ln in header if ln.strip()][:15])
    number = None
    m = re.search(r"Số\s*:\s*([^\s]*)", joined_header)
    if m:
        number = m.group(1).strip() or None
    kind = None
    first_lines = [ln.strip() for ln in lines if ln.strip()][:12]
    for k_name, title_rx, symbol_rx in _KINDS:
        if any(re.match(title_rx, ln) for ln in first_lines) or (number and re.search(symbol_rx, number)):
            kind = k_name
            break
    if kind == "thông báo kết luận" and not any(re.match(r"^Kết luận", ln) for ln in first_lines):
        kind = "thông báo"
    if kind is None and idx_kg is not None:
        kind = "công văn"
    date = None
    place = None
    m = _PLACE_DATE.search(joined_header)
    if m:
        place = m["place"].strip()
        date = _date(m["d"], m["m"], m["y"]) if m["d"] and m["m"] and m["y"] else None
    default_year = int(date[:4]) if date else None
    base_date = dt.date.fromisoformat(date) if date else None

    paras = paragraphs(body_lines)
    body_text = " ".join(p.text for p in paras)
    if default_year is None:
        years = re.findall(r"năm (20\d\d)|/(20\d\d)\b", body_text)
        ys = [int(a or b) for a, b in years]
        default_year = max(ys) if ys else None

    # Notices of conclusions: the title is the subject ("Kết luận của Chủ tịch … tại Hội nghị ngày …").
    if subject is None and kind and kind.startswith("thông báo"):
        content = [ln.strip() for ln in lines if ln.strip()]
        start = next((i for i, ln in enumerate(content) if re.match(r"^THÔNG BÁO\b", ln)), None)
        if start is not None:
            title = []
            for ln in content[start + 1:start + 7]:
                title.append(ln)
                if re.search(r"năm \d{4}$|\d{1,2}/\d{1,2}/\d{4}$", ln):
                    break
            subject = re.sub(r"\s+", " ", " ".join(title)).strip()
    issuer = _issuer(header, body_text)

    # --- tasks
    matcher = AgencyMatcher(catalog)
    tasks: list[dict] = []
    new_agencies: list[str] = []
    items = [p for p in paras if p.kind == "item"]
    expected = 1
    for p in paras:
        if p.kind == "section":
            expected = 1  # numbering restarts in each part (I., II. …) of a plan
        elif p.kind == "item":
            if int(p.number) != expected:
                warnings.append(f"Mục {expected} không đọc được hoặc bị thiếu (gặp mục {p.number}). / Item {expected} is missing or unreadable (found {p.number}).")
            expected = int(p.number) + 1
    prefix = ""

    current_item = None
    item_assignees: list = []
    sub = 0
    for idx, p in enumerate(paras):
        if p.kind == "section":
            prefix, current_item = f"{p.number}.", None
            continue
        if p.kind == "item":
            current_item = p
            sub = 0
            heading = p.text
            # "Công tác truyền thông: Tiểu ban…" → the agencies follow the topic.
            topic = re.match(r"^([^:]{3,120}):\s*(.+)$", heading)
            mentions, end = matcher.subject(heading)
            if not mentions and topic:
                mentions, end = matcher.subject(topic.group(2))
                heading_rest = topic.group(2)
            else:
                heading_rest = heading
            if not mentions:
                mentions = _assigned_inside(heading, matcher)
            item_assignees = mentions
            item_lead = _lead(heading_rest, mentions)
            has_children = idx + 1 < len(paras) and paras[idx + 1].kind == "bullet"
            if not has_children:
                tasks.append(_task(prefix + p.number, heading, mentions, item_lead, matcher, default_year, base_date))
            continue
        if current_item is None:
            continue
        if p.kind == "text" and _CLOSING.match(p.text):
            continue
        sub += 1
        mentions, end = matcher.subject(p.text)
        if mentions and end < len(p.text):
            assignees, lead = mentions, _lead(p.text, mentions)
        else:
            assignees, lead = item_assignees, item_lead
        tasks.append(_task(f"{prefix}{current_item.number}.{sub}", p.text, assignees, lead, matcher, default_year, base_date))

    for t in tasks:
        for n in t.pop("_unknown"):
            if n not in new_agencies:
                new_agencies.append(n)
        if not t["assignees"]:
            warnings.append(f"Nhiệm vụ {t['ref']}: chưa xác định được cơ quan thực hiện. / Task {t['ref']}: no agency found.")
    for n in new_agencies:
        warnings.append(f"Cơ quan chưa có trong danh sách, đề nghị thêm mới: {n}. / Agency not in the list, offered as new: {n}.")
    if not items:
        warnings.append("Không tìm thấy mục đánh số nào: kiểm tra lại văn bản. / No numbered items found: check the text.")

    signer, capacity = _signature(lines[idx_nn:] if idx_nn < len(lines) else lines[-8:])
    distribution = []
    for ln in footer[1:]:
        s = ln.strip()
        if _BULLET.match(s):
            distribution.append(_BULLET.sub("", s).rstrip(";. ").strip())
    return {
        "kind": kind,
        "number": number,
        "date": date,
        "place": place,
        "issuer": issuer,
        "signer": signer,
        "signer_capacity": capacity,
        "subject": subject,
        "addressees": addressees,
        "references": _references([body_text, *notes]),
        "tasks": tasks,
        "distribution": distribution,
        "new_agencies": new_agencies,
        "warnings": warnings,
    }


_ASSIGN_CUE = re.compile(r"(?:^|[.;:]\s+)(?:Giao(?: cho)?|Đề nghị|Yêu cầu)\s+")


def _assigned_inside(text: str, matcher: AgencyMatcher) -> list[Mention]:
    """"… Giao Sở Y tế có văn bản hướng dẫn…": an assignment in the middle of the text."""
    for m in _ASSIGN_CUE.finditer(text):
        mentions, _ = matcher.subject(text[m.end():])
        if mentions:
            return mentions
    return []


def _lead(text: str, mentions: list[Mention]) -> list[str]:
    """"Sở Y tế chủ trì với UBND các huyện" → only Sở Y tế leads; otherwise every named agency does."""
    m = re.search(r"\bchủ trì\b", text)
    if m:
        before = [x for x in mentions if x.end <= m.start()]
        if before:
            return _names(before)
    return _names(mentions)


def _task(ref: str, text: str, mentions: list[Mention], lead: list[str], matcher: AgencyMatcher, default_year,
          base_date=None) -> dict:
    deadlines = find_deadlines(text, default_year, base_date)
    recurrence = find_recurrence(text)
    assignees = _names(mentions)
    coordinating = [n for n in _names(matcher.mentions_after(text, _COORD_CUE)) if n not in assignees]
    # "Sở Y tế chủ trì với UBND các huyện": the others coordinate.
    for n in assignees:
        if n not in lead and n not in coordinating:
            coordinating.append(n)
    return {
        "ref": ref,
        "text": text,
        "assignees": assignees,
        "lead": lead,
        "coordinating": coordinating,
        "deadline": min(d["date"] for d in deadlines).isoformat() if deadlines else None,
        "milestones": [{"deadline": d["date"].isoformat(), "text": d["text"]} for d in deadlines] if len(deadlines) > 1 else [],
        "recurrence": recurrence,
        "_unknown": [n for m in mentions if not m.known for n in m.names],
    }
