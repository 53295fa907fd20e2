"""Quantity phrases in Arabic news text: numbers with their hedges, scale words and nouns.

`find(text)` returns every quantity phrase in text order, with offsets into the text *as
given* (the input is never normalised; words are matched through tashkeel, tatweel and the
usual spelling variants). Each phrase gets a `kind` so that callers can keep the figures and
skip years, dates, percentages, ordinals, durations and article or law numbers, and a `hedge`
with the value conventions of the project's ledger (data/raw/README.md):

    exact, approx -> value_best      at_least, more_than -> value_low
    at_most, less_than, up_to -> value_high
    range -> value_low and value_high                vague -> documented bounds, never a best

The grammar works on tokens, not on one large regular expression: the text is split once
into digit runs, Arabic words, Latin words and punctuation, and each quantity is parsed with
a bounded look-ahead and look-behind from a number token. The run time is linear in the
length of the text. The rules and their known limits are in docs/quantities.md.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from analysis.schema import HEDGES, HIGH_BOUNDS, LOW_BOUNDS

__all__ = ["HEDGES", "KINDS", "Quantity", "find"]

KINDS = ("figure", "year", "date", "percentage", "ordinal", "duration", "other")


@dataclass(frozen=True)
class Quantity:
    """One quantity phrase; offsets are Python str offsets into the text as given."""

    start: int
    end: int
    text: str
    value_low: int | None
    value_best: int | None
    value_high: int | None
    hedge: str
    kind: str
    noun: str | None
    number_start: int
    number_end: int


# --- characters and tokens ------------------------------------------------------------------

_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
# Arabic letters, tashkeel, tatweel, Quranic marks, ZWNJ/ZWJ and presentation forms.
_LETTER = ("\u0621-\u063a\u0640-\u065f\u066e\u066f\u0670-\u06d3\u06d5-\u06ed\u06ee\u06ef"
           "\u06fa-\u06ff\u200c\u200d\ufb50-\ufdff\ufe70-\ufefc")
_TOKEN_RE = re.compile(rf"([{_DIGIT}]+)|([{_LETTER}]+)|([A-Za-z]+)|(\S)")
_D, _W, _L, _P = 1, 2, 3, 4

_MARKS = frozenset(chr(c) for c in [*range(0x064B, 0x0660), 0x0670, 0x0640,
                                    *range(0x06D6, 0x06EE), 0x200C, 0x200D])
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ى": "ي",
                       "ی": "ي", "ې": "ي", "ة": "ه", "ۀ": "ه", "ە": "ه", "ک": "ك"})
# Spaces that may group digits ("10 000"): a single space, no-break or thin space.
_GROUP_SPACES = frozenset(" \u00a0\u202f\u2009\u2007")
_DASHES = frozenset("-–—‒−")
_QUOTES = frozenset("\"'“”«»‘’„")


@lru_cache(maxsize=1 << 16)
def _fold_char(ch: str) -> str:
    """The normalised form of one character ('' for tashkeel and tatweel)."""
    if ch in _MARKS:
        return ""
    if "\ufb50" <= ch:
        ch = unicodedata.normalize("NFKC", ch)
        return "".join(c for c in ch if c not in _MARKS and c != " ").translate(_FOLD)
    return ch.translate(_FOLD)


@lru_cache(maxsize=1 << 17)
def _norm(word: str) -> str:
    """Fold a word for lexicon look-up: no tashkeel or tatweel, one alef, ي for ى, ه for ة."""
    return "".join(_fold_char(c) for c in word)


def _raw_offset(word: str, folded_chars: int) -> int:
    """Index in `word` where its normalised form's `folded_chars`-th character begins."""
    seen = 0
    for k, ch in enumerate(word):
        if seen >= folded_chars and _fold_char(ch):
            return k
        seen += len(_fold_char(ch))
    return len(word)


# --- lexicon -----------------------------------------------------------------------------

def _words(spec: str) -> list[str]:
    return [_norm(w) for w in spec.split()]


# Cardinal categories.
_U, _ONE_BOUND, _TWO_BOUND, _TEN, _TENS, _H, _SG, _PL, _DU, _VAGUE, _FEW, _SEVERAL, \
    _NAYIF, _FRAC = range(14)

_CARD: dict[str, tuple[int, int]] = {}


def _add(cat: int, value: int, spec: str) -> None:
    for w in _words(spec):
        _CARD.setdefault(w, (cat, value))


_add(_U, 1, "واحد واحدة")
_add(_U, 2, "اثنان اثنين اثنتان اثنتين ثنتان ثنتين")
for _v, _spec in {3: "ثلاث ثلاثة", 4: "أربع أربعة", 5: "خمس خمسة", 6: "ست ستة",
                  7: "سبع سبعة", 8: "ثمان ثماني ثمانية", 9: "تسع تسعة"}.items():
    _add(_U, _v, _spec)
_add(_TEN, 10, "عشر عشرة")
_add(_ONE_BOUND, 1, "أحد إحدى")
_add(_TWO_BOUND, 2, "اثنا اثني اثنتا اثنتي")
_TENS_SPEC = {20: "عشرون عشرين", 30: "ثلاثون ثلاثين", 40: "أربعون أربعين",
              50: "خمسون خمسين", 60: "ستون ستين", 70: "سبعون سبعين", 80: "ثمانون ثمانين",
              90: "تسعون تسعين"}
for _v, _spec in _TENS_SPEC.items():
    _add(_TENS, _v, _spec)
_add(_H, 100, "مئة مائة")
_add(_H, 200, "مئتان مئتين مئتا مئتي مائتان مائتين مائتا مائتي")
_HUNDRED_STEMS = {3: "ثلاث ثلث", 4: "أربع", 5: "خمس", 6: "ست", 7: "سبع", 8: "ثمان ثماني",
                  9: "تسع"}
for _v, _spec in _HUNDRED_STEMS.items():
    for _stem in _spec.split():
        _add(_H, _v * 100, f"{_stem}مئة {_stem}مائة")
_SCALE_SPEC = {
    1000: ("ألف ألفا", "آلاف ألوف", "ألفان ألفين ألفي"),
    10**6: ("مليون مليونا", "ملايين", "مليونان مليونين مليوني"),
    10**9: ("مليار مليارا بليون", "مليارات بلايين", "ملياران مليارين ملياري"),
    10**12: ("تريليون ترليون تريليونا", "تريليونات", "تريليونان تريليونين"),
}
for _v, (_sg, _pl, _du) in _SCALE_SPEC.items():
    _add(_SG, _v, _sg)
    _add(_PL, _v, _pl)
    _add(_DU, _v, _du)
_add(_VAGUE, 10, "عشرات")
_add(_VAGUE, 100, "مئات مئآت")
_add(_FEW, 0, "بضع بضعة")
_add(_SEVERAL, 0, "عدة")
_add(_NAYIF, 0, "نيف")
_add(_FRAC, 2, "نصف")
_add(_FRAC, 4, "ربع")

_HUNDRED_WORDS = frozenset(_words("مئة مائة"))
_BIG_SG = frozenset(_words("مليون مليار تريليون"))
_TEN_WORDS = frozenset(_words("عشر عشرة"))
# Ordinals: value by stem (without the article).
_ORD: dict[str, int] = {}
for _v, _spec in {1: "أول أولى", 2: "ثاني ثانية ثان", 3: "ثالث ثالثة", 4: "رابع رابعة",
                  5: "خامس خامسة", 6: "سادس سادسة", 7: "سابع سابعة", 8: "ثامن ثامنة",
                  9: "تاسع تاسعة", 10: "عاشر عاشرة"}.items():
    for _w in _words(_spec):
        _ORD[_w] = _v
# الحادي / الحادية: "first" only inside 11th, 21st … (الحادي عشر، الحادي والعشرون).
_HADI = frozenset(_words("حادي حادية"))
for _w in _HADI:
    _ORD[_w] = 1

_MONTHS = frozenset(_words(
    "يناير فبراير مارس أبريل ابريل إبريل أفريل مايو ماي يونيو يونيه جوان يوليو يوليه جويلية "
    "جويليه يوليوز أغسطس أوت غشت سبتمبر شتنبر أكتوبر نوفمبر نونبر ديسمبر دجنبر جانفي فيفري "
    "شباط آذار نيسان أيار حزيران تموز آب أيلول محرم صفر رجب شعبان رمضان شوال"))
_MONTH_FIRST = {_norm(k): frozenset(_words(v)) for k, v in {
    "كانون": "الثاني الأول", "تشرين": "الأول الثاني", "ربيع": "الأول الثاني الآخر",
    "جمادى": "الأولى الآخرة الثانية الأول الآخر", "جمادي": "الأولى الآخرة الثانية",
    "ذو": "القعدة الحجة", "ذي": "القعدة الحجة"}.items()}
_RELATIVE_MONTH = frozenset(_words("الشهر"))
_MONTH_ADJ = frozenset(_words("الجاري الماضي المقبل الحالي المنصرم القادم"))

_TIME_UNITS = frozenset(_words(
    "ساعة ساعات ساعتين ساعتان دقيقة دقائق دقيقتين دقيقتان ثانية ثوان ثواني ثانيتين يوم يوما "
    "أيام يومين يومان أسبوع أسبوعا أسابيع أسبوعين أسبوعان شهر شهرا أشهر شهور شهرين شهران سنة "
    "سنوات سنين سنتين سنتان عام عاما أعوام عامين عامان عقد عقدا عقود عقدين عقدان قرن قرنا "
    "قرون قرنين قرنان ليلة ليال ليالي ليلتين ليلتان"))
_DUAL_TIME = frozenset(_words(
    "ساعتين ساعتان دقيقتين دقيقتان ثانيتين يومين يومان أسبوعين أسبوعان شهرين شهران سنتين "
    "سنتان عامين عامان عقدين عقدان قرنين قرنان ليلتين ليلتان"))
_PLURAL_TIME = frozenset(_words("السنوات الأيام الأشهر الشهور الساعات الأسابيع الأعوام "
                                "الدقائق العقود السنين الليالي"))
_TIME_OF_DAY = frozenset(_words("صباحا صباح مساء مساءا فجرا فجر ظهرا ظهر عصرا ليلا ص"))
_PERCENT_WORDS = frozenset(_words("بالمئة بالمائة بالمية"))
_PERCENT_AFTER_FI = frozenset(_words("المئة المائة المية"))
_YEAR_MARKS = frozenset(_words("م هـ ه"))

# Words before a number that make it an article, law, unit or clock number (kind other).
_OTHER_CUES = frozenset(_words(
    "المادة مادة المادتين القرار قرار رقم الرقم برقم رقمه رقمها الفقرة فقرة البند بند "
    "القانون قانون المرسوم مرسوم الفصل الباب اللواء لواء الفرقة فرقة الكتيبة كتيبة الفوج "
    "فوج الطريق طريق الصفحة صفحة الآية آية الحافلة الرحلة رحلة الجدول الملحق الساعة "
    "التعميم تعميم الأمر المذكرة القاعدة الطابق القطاع قطاع المربع البوابة بوابة الجناح "
    "الزنزانة العنبر الهاتف هاتف الرمز الكود الإصدار"))
_LAW_CUES = frozenset(_words("القرار قرار المرسوم مرسوم القانون قانون المادة مادة"))
_ORD_CUES_STRONG = frozenset(_words(
    "الذكرى ذكرى المرتبة الدورة دورة الجولة جولة النسخة القرن الحلقة المرحلة مرحلة "
    "الدفعة دفعة الموسم المؤتمر القمة الجلسة المرتبه"))
_ORD_CUES_WITH_ARTICLE = frozenset(_words("اليوم الأسبوع الشهر العام السنة"))
_YEAR_CUES = frozenset(_words("عام العام عامي سنة السنة سنتي"))
_CHANGE_WORDS = tuple(_words("ارتفع ارتفاع انخفض انخفاض تراجع زاد زيادة قفز هبط تقلص "
                             "ترتفع يرتفع ينخفض تنخفض يتراجع تتراجع صعد رفع خفض"))
_ONE_IDIOMS = frozenset(_words("آن وقت صف مرة دفعة يد صوت كلمة نفس رجل قلب جسد"))
_WEEKDAYS = frozenset(_words("الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد"))

# Counted nouns known to follow numbers (singular/plural stems, without article or tanween).
_NOUNS = frozenset(_words(
    "معتقل معتقلين معتقلون معتقلة معتقلات عنصر عناصر مقاتل مقاتلين مقاتلون مقاتلة شخص "
    "أشخاص عائلة عائلات سجين سجناء سجينة سجينات داعشي دواعش طفل أطفال امرأة نساء "
    "محتجز محتجزين محتجزون محتجزة نازح نازحين نازحون لاجئ لاجئين لاجئون جندي جنود "
    "قتيل قتلى جريح جرحى مصاب مصابين ضحية ضحايا مدني مدنيين مدنيون عسكري عسكريين أسير "
    "أسرى أسرة أسر رجل رجال مواطن مواطنين مواطنون مسلح مسلحين مسلحون إرهابي إرهابيين "
    "متهم متهمين موقوف موقوفين مطلوب مطلوبين فرد أفراد نسمة منزل منازل قرية قرى مخيم "
    "مخيمات سجن سجون دولار دولارات يورو دينار ليرة ريال جنيه درهم كيلومتر كيلومترات "
    "كلم كم متر أمتار طن أطنان برميل براميل عملية عمليات غارة غارات هجوم هجمات صاروخ "
    "صواريخ طائرة طائرات آلية آليات سيارة سيارات حافلة حافلات عضو أعضاء مسؤول مسؤولين "
    "موظف موظفين عامل عمال طالب طلاب مريض مرضى حالة حالات وفاة وفيات إصابة إصابات "
    "مهاجر مهاجرين جثة جثث مفقود مفقودين ناشط ناشطين صحفي صحفيين مصدر مصادر دولة دول "
    "بلد بلدان جنسية جنسيات مرة مرات قاصر قاصرين فتى فتيان فتاة فتيات شاب شبان "
    "أجنبي أجانب عراقي عراقيين سوري سوريين مرتزق مرتزقة إرهابيا معتقلا عنصرا مقاتلا "
    "سجينا شخصا طفلا جنديا مواطنا مدنيا"))
# Words that never are the counted noun right after a number.
_NOT_NOUN = frozenset(_words(
    "من في فى على إلى الى عن مع منذ خلال بعد قبل حتى أو او ثم أن إن ان أنه انه كما قد لا "
    "لم لن ما هذا هذه ذلك تلك الذي التي الذين هم هو هي نحن كل بعض غير سوى فقط أيضا "
    "بالفعل تقريبا آخرين آخرون أخرى آخر اخرين أخريات إضافيين إضافية جديدة جدد حيث بين "
    "عند لدى ضد نحو حوالي عبر داخل خارج فوق تحت دون منهم منها منه عليهم إليهم لهم له لها "
    "بهم به بها فيها فيه فيهم عنهم أما إذ إذا لكن بل ليس كان كانوا كانت يكون تم يتم جرى "
    "بات أصبح وقد ولا وما وهو وهي وهم فيما بينما عندما حين أي أية إلا سابقا حاليا تقريبًا "
    "كحد على الأقل الأكثر فأكثر وأكثر فأقل ونيف هناك هنا ذاك نفسه نفسها أنفسهم مؤلفة "
    "إياهم إياها ايضا يوميا شهريا سنويا أسبوعيا فحسب الماضي الماضية الماضيين المقبل المقبلة "
    "المقبلين الأخير الأخيرة الأخيرين الحالي الحالية الجاري المذكورة المذكورين المتبقية "
    "المتبقين الأولى الأول ضمن بينهم بينهن بينها أغلبهم معظمهم جميعهم كلهم آنذاك اليوم أمس "
    "غدا مؤخرا لاحقا وفق وفقا حسب بحسب نتيجة جراء إثر عقب بسبب حول قرب أمام خلف وراء "
    "بجروح بجراح بنيران برصاص بقصف بعد بحق لصالح مقابل"))


# --- hedge patterns ------------------------------------------------------------------------

_GAP = "*"
# A hedge "gap" may hold a counting word and one noun: "قد يصل عدد المعتقلين إلى".
_GAP_HEADS = frozenset(_words("عدد عددهم عددها عدده أعداد أعدادهم إجمالي مجموع حصيلة "
                              "الحصيلة العدد الرقم"))

_PRE_SPEC: tuple[tuple[str, str], ...] = (
    ("approx", "نحو"), ("approx", "نحوا من"), ("approx", "حوالي|حوالى|حواليّ"),
    ("approx", "قرابة"), ("approx", "زهاء"), ("approx", "تقريبا"),
    ("approx", "ما? يقارب|تقارب|يقاربون|يناهز|تناهز|يناهزون *"),
    ("approx", "ما? يقارب|تقارب|يناهز من"),
    ("approx", "ما? يقرب|تقرب من"), ("approx", "في حدود"), ("approx", "حدود"),
    ("approx", "ما? يقدر|تقدر|يقدرون|قدر|قدرت|يقدره|المقدر|المقدرة * ب?"),
    # strict bounds ("more than", "exceeds") and inclusive ones ("not less than", "at least")
    ("more_than", "أكثر من"), ("more_than", "أكثر قليلا|بقليل من"), ("more_than", "أزيد من"),
    ("more_than", "ما? يزيد|تزيد|يزيدون|زاد|زادت * عن|على"),
    ("more_than", "ما? يزيد|تزيد|زاد|زادت قليلا|بقليل عن|على"),
    ("at_least", "ما? لا يقل|تقل|يقلون * عن|من"),
    ("more_than", "ما? فوق"), ("more_than", "ما? يفوق|تفوق|يفوقون|فاق|فاقت"),
    ("more_than", "ما? يربو|تربو|ينيف|ينوف|تنيف|ينوفون على|عن"),
    ("more_than", "ما? يتجاوز|تتجاوز|يتجاوزون|تجاوز|تجاوزت|يتخطى|تتخطى|تخطى *"),
    ("more_than", "ما? يتعدى|تتعدى|يتعدون|تعدى|تعدت *"),
    ("at_least", "على الأقل"), ("at_least", "كحد أدنى"), ("at_least", "بحد أدنى"),
    ("less_than", "أقل من"), ("less_than", "أقل بقليل من"), ("less_than", "أدنى من"),
    ("less_than", "ما? دون"), ("less_than", "ما? يقل|تقل * عن"),
    ("at_most", "ما? لا|لم يتجاوز|تتجاوز|يتجاوزون|يتعدى|تتعدى|يتخطى|تتخطى *"),
    ("at_most", "ما? لم يتعد|تتعد|يتخط|تتخط *"),  # the jussive after لم drops the final ى
    ("at_most", "ما? لا|لم يزيد|تزيد|يزيدون|يزد|تزد * عن|على"),
    ("at_most", "على الأكثر"), ("at_most", "كحد أقصى"), ("at_most", "بحد أقصى"),
    ("at_most", "أقصاه"),
    ("up_to", "ما? قد|ربما? يصل|تصل|يصلون|سيصل|ستصل * إلى|ل|حتى"),
    ("up_to", "يمكن|يمكنه|قد أن? يصل|تصل * إلى|ل|حتى"),
    ("up_to", "قد|ربما يبلغ|تبلغ|يرتفع|ترتفع *"),
    ("up_to", "قد|ربما يرتفع|ترتفع * إلى"),
    ("up_to", "حتى"), ("up_to", "لغاية"),
)
_POST_SPEC: tuple[tuple[str, str], ...] = (
    ("approx", "تقريبا"),
    ("at_least", "على الأقل"), ("at_least", "على أقل تقدير"), ("at_least", "كحد أدنى"),
    ("at_least", "فأكثر"), ("at_least", "وأكثر"), ("at_least", "أو أكثر"),
    ("at_least", "فما|وما فوق"), ("more_than", "ونيف|ونيفا"), ("at_least", "أو يزيد|يزيدون"),
    ("at_least", "وما يزيد"),
    ("at_most", "على الأكثر"), ("at_most", "كحد أقصى"), ("at_most", "بحد أقصى"),
    ("at_most", "فأقل"), ("at_most", "أو أقل"), ("at_most", "فما|وما دون"),
)


def _compile(spec: tuple[tuple[str, str], ...]) -> list[tuple[str, tuple]]:
    """Patterns as tuples of (alternatives, optional) elements; "*" is a bounded gap."""
    out = []
    for hedge, words in spec:
        elems = []
        for w in words.split():
            if w == _GAP:
                elems.append((_GAP, True))
                continue
            optional = w.endswith("?")
            elems.append((frozenset(_norm(a) for a in w.rstrip("?").split("|")), optional))
        out.append((hedge, tuple(elems)))
    return out


_PRE = _compile(_PRE_SPEC)
_POST = _compile(_POST_SPEC)
_HEDGE_WORDS = frozenset(w for _, p in _PRE + _POST for alts, _ in p if alts != _GAP
                         for w in alts)

# Clitics that may stand before a number, a hedge or a vague word, by what they prefix.
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")
_LEAD = ("",) + _CONJ + _PREP + tuple(c + p for c in _CONJ for p in _PREP)
_ART = ("ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وبال", "فبال")
_CLITICS = tuple(sorted(set(_LEAD + _ART) - {""}, key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def _splits(norm: str) -> tuple[tuple[str, str], ...]:
    """(clitic, stem) readings of a word, the bare word first; 'لل' gives back the article."""
    out = [("", norm)]
    for c in _CLITICS:
        if norm.startswith(c) and len(norm) - len(c) >= 2:
            stem = norm[len(c):]
            if c.endswith("لل"):
                stem = "ال" + stem
            out.append((c, stem))
    return tuple(out)


# --- tokens ------------------------------------------------------------------------------

class _Raw:
    """Token texts, sliced from the text when asked for (no string kept per token)."""

    __slots__ = ("text", "s", "e")

    def __init__(self, text: str, s: array, e: array) -> None:
        self.text, self.s, self.e = text, s, e

    def __getitem__(self, i: int) -> str:
        return self.text[self.s[i]:self.e[i]]


class _Tokens:
    """The text split once into digit runs, Arabic words, Latin words and punctuation.

    Offsets and kinds are kept in compact arrays rather than lists of Python objects: the
    memory per token stays small, so time per megabyte stays flat on large texts.
    """

    __slots__ = ("text", "s", "e", "k", "r", "n", "_norms", "literals")

    def __init__(self, text: str) -> None:
        self.text = text
        s, e, k = array("q"), array("q"), bytearray()
        for m in _TOKEN_RE.finditer(text):  # no Match kept alive: less work for the GC
            a, b = m.span()
            s.append(a)
            e.append(b)
            k.append(m.lastindex)  # type: ignore[arg-type]
        self.s, self.e, self.k, self.n = s, e, k, len(s)
        self.r = _Raw(text, s, e)
        self._norms: dict[int, str] = {}
        self.literals: dict[int, tuple[Fraction, int, str | None, str]] = {}

    def word(self, i: int) -> str:
        """The normalised Arabic word at i; '' for anything else or out of range."""
        if not 0 <= i < self.n or self.k[i] != _W:
            return ""
        got = self._norms.get(i)
        if got is None:
            got = self._norms[i] = _norm(self.text[self.s[i]:self.e[i]])
        return got

    def is_(self, i: int, kind: int) -> bool:
        return 0 <= i < self.n and self.k[i] == kind

    def punct(self, i: int, chars: str | frozenset) -> bool:
        return 0 <= i < self.n and self.k[i] == _P and self.text[self.s[i]] in chars

    def adjacent(self, i: int, j: int) -> bool:
        """Tokens i and j touch (no space between them)."""
        return 0 <= i < j < self.n and self.e[i] == self.s[j]

    def gap(self, i: int, j: int) -> str:
        return self.text[self.e[i]:self.s[j]]

    def start_after(self, i: int, clitic: str) -> int:
        """Offset where the word at i begins once a conjunction or preposition is set aside.

        The article stays in the phrase: "والثانية" starts at "الثانية", "للمرة" at "لمرة".
        """
        if clitic.endswith("لل"):
            clitic = clitic[:-1]
        elif clitic.endswith("ال"):
            clitic = clitic[:-2]
        if not clitic:
            return self.s[i]
        return self.s[i] + _raw_offset(self.r[i], len(clitic))

    def stem(self, i: int, table: object, clitics: tuple[str, ...] = _LEAD) \
            -> tuple[str, str] | None:
        """(clitic, stem) of the word at i if the stem is in `table` with an allowed clitic."""
        w = self.word(i)
        if not w:
            return None
        for clitic, stem in _splits(w):
            if clitic in clitics and stem in table:  # type: ignore[operator]
                if clitic and len(stem) <= 2 and clitic != "و":
                    continue  # لست is "I am not", not ل + ست
                return clitic, stem
        return None


_INTERESTING = frozenset(_CARD) | frozenset(_ORD) | _MONTHS | frozenset(_MONTH_FIRST) \
    | _DUAL_TIME


@lru_cache(maxsize=1 << 16)
def _interesting(word: str) -> bool:
    """Whether a normalised word can start a quantity (cheap filter for the main loop)."""
    return any(stem in _INTERESTING for _, stem in _splits(word))


@lru_cache(maxsize=1 << 17)
def _interesting_raw(word: str) -> bool:
    return _interesting(_norm(word))


# --- number expressions --------------------------------------------------------------------

@dataclass
class _Expr:
    """A parsed number: tokens [i0, i1), characters [start, end), value or vague bounds."""

    i0: int
    i1: int
    start: int
    end: int
    value: Fraction | None = None
    low: int | None = None
    high: int | None = None
    vague: bool = False
    mantissa: Fraction | None = None  # before the scale word, for "بين 5 و7 آلاف"
    scale: int = 1
    groups: int = 1
    plain: str | None = None  # the digits of a bare integer (no separator, no scale word)
    words: bool = False
    clitic: str = ""
    parts: tuple[str, ...] = ()


def _scale_at(tk: _Tokens, i: int) -> int | None:
    """The value of a scale word (singular or plural: ألف، آلاف، مليون …) right at i."""
    got = _CARD.get(tk.word(i))
    if got and got[0] in (_SG, _PL):
        return got[1]
    return None


def _cont(tk: _Tokens, j: int) -> tuple[int, tuple[str, ...]] | None:
    """Where a و continuation starts: after a lone و token, or in a word carrying و."""
    w = tk.word(j)
    if w == "و":
        return (j + 1, ("",)) if j + 1 < tk.n else None
    if len(w) > 2 and w[0] == "و":
        return j, ("و",)
    return None


def _part(tk: _Tokens, i: int, clitics: tuple[str, ...]) -> tuple[str, int, int, str] | None:
    """One additive part of a number below 1000: (type, value, next index, clitic).

    Types: U unit 1–9, B أحد/إحدى (only before عشر or و + tens), T 10–19, X tens, H hundreds.
    """
    got = tk.stem(i, _CARD, clitics)
    if not got:
        return None
    clitic, stem = got
    cat, value = _CARD[stem]
    nxt = tk.word(i + 1)
    if cat in (_U, _ONE_BOUND, _TWO_BOUND) and nxt in _TEN_WORDS:
        return "T", 10 + value, i + 2, clitic
    if cat == _U and value >= 3 and nxt in _HUNDRED_WORDS:
        return "H", value * 100, i + 2, clitic
    kind = {_U: "U", _ONE_BOUND: "B", _TEN: "T", _TENS: "X", _H: "H"}.get(cat)
    if kind is None:
        return None
    return kind, value, i + 1, clitic


_PLACES = {"H": {"h"}, "U": {"u"}, "B": {"u"}, "T": {"t", "u"}, "X": {"t"}}


def _sub1000(tk: _Tokens, i: int, clitics: tuple[str, ...]) \
        -> tuple[int, int, str, tuple[str, ...]] | None:
    """A number below 1000 in words: (value, next index, clitic, part types).

    Parts join with و, each filling places (hundreds, tens, units) not yet filled:
    مئة وخمسة وعشرون = 125; the hundreds come first.
    """
    first = _part(tk, i, clitics)
    if not first:
        return None
    kind, value, j, clitic = first
    used = set(_PLACES[kind])
    kinds = [kind]
    while True:
        cont = _cont(tk, j)
        if not cont:
            break
        nxt = _part(tk, cont[0], cont[1])
        if not nxt or nxt[0] == "H" or used & _PLACES[nxt[0]]:
            break
        value += nxt[1]
        used |= _PLACES[nxt[0]]
        kinds.append(nxt[0])
        j = nxt[2]
    if "B" in kinds and "X" not in kinds:
        return None  # أحد / إحدى alone mean "one of", not a number
    return value, j, clitic, tuple(kinds)


def _literal(tk: _Tokens, i: int) -> tuple[Fraction, int, str | None, str]:
    """A digit literal at i: (value, next index, plain digits or None, special).

    special is '' for a number, or 'date', 'time', 'slash', 'model' for what only looks like
    one ("2026-01-21", "10:30", "24/7", "F-16", a phone number).
    """
    got = tk.literals.get(i)
    if got is None:
        got = tk.literals[i] = _read_literal(tk, i)
    return got


def _read_literal(tk: _Tokens, i: int) -> tuple[Fraction, int, str | None, str]:
    r, k, n = tk.r, tk.k, tk.n
    parts, seps, j = [r[i]], [], i
    while len(parts) < 3 and j + 2 < n and k[j + 1] == _P and k[j + 2] == _D \
            and tk.adjacent(j, j + 1) and tk.adjacent(j + 1, j + 2):
        seps.append(r[j + 1])
        parts.append(r[j + 2])
        j += 2
    if len(parts) >= 2 and all(s == ":" for s in seps):
        return Fraction(int(parts[0])), j + 1, None, "time"
    if len(parts) == 3 and seps[0] == seps[1] and seps[0] in "/-." and _plausible_date(parts) \
            and not (seps[0] == "." and len(parts[1]) == 3 and len(parts[2]) == 3):
        return Fraction(0), j + 1, None, "date"
    if len(parts) >= 2 and seps[0] == "/":
        return Fraction(int(parts[0])), i + 3, None, "slash"
    # F16, فرانس24 (but not الـ150, nor a missing space before a counted noun: ونقل150 معتقلا)
    latin_before = i >= 1 and k[i - 1] in (_L, _W) and tk.adjacent(i - 1, i) and (
        k[i - 1] == _L or tk.word(i - 1) not in _GLUED and not _is_known_noun(tk.word(i + 1)))
    latin_after = tk.is_(i + 1, _L) and tk.adjacent(i, i + 1)
    dash_model = i >= 2 and tk.punct(i - 1, _DASHES) and tk.adjacent(i - 1, i) \
        and tk.adjacent(i - 2, i - 1) and k[i - 2] in (_W, _L)
    if latin_before or latin_after or dash_model:
        return Fraction(int(r[i])), i + 1, None, "model"
    intpart, frac, grouped, j = r[i], "", False, i + 1
    first_ok = len(r[i]) <= 3
    while not frac and j + 1 < n and k[j] == _P and k[j + 1] == _D \
            and tk.adjacent(j - 1, j) and tk.adjacent(j, j + 1):
        sep, g = r[j], r[j + 1]
        more_dots = tk.punct(j + 2, ".") and tk.is_(j + 3, _D) and tk.adjacent(j + 1, j + 2)
        if sep in ",٬" and len(g) == 3 and first_ok:
            intpart += g
            grouped = True
        elif sep == "." and len(g) == 3 and first_ok and \
                (more_dots or grouped or _scale_at(tk, j + 2) is None):
            intpart += g
            grouped = True
        elif sep in "٫.":
            frac = g
        elif sep in ",،" and len(g) <= 2 and not grouped and _scale_at(tk, j + 2) is not None:
            frac = g
        else:
            break
        j += 2
    if not frac and first_ok:
        # "10 000": groups of three split by one space (documented).
        while j < n and k[j] == _D and len(r[j]) == 3 and tk.gap(j - 1, j) in _GROUP_SPACES \
                and not tk.punct(j + 1, ".,٫٬") :
            intpart += r[j]
            grouped = True
            j += 1
    value = Fraction(int(intpart))
    if frac:
        value += Fraction(int(frac), 10 ** len(frac))
    plain = r[i] if not grouped and not frac else None
    special = ""
    if plain and (len(plain) >= 11 or (plain[0] in "0٠۰" and len(plain) >= 6)):
        special = "model"  # phone numbers and codes
    return value, j, plain, special


def _plausible_date(parts: list[str]) -> bool:
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return len(parts[2]) in (2, 4) and 1 <= a <= 31 and 1 <= b <= 12


def _group(tk: _Tokens, i: int, clitics: tuple[str, ...]) -> _Expr | None:
    """One group: a number below 1000 (digits or words) with an optional scale word."""
    if i >= tk.n:
        return None
    if tk.k[i] == _D:
        value, j, plain, special = _literal(tk, i)
        if special:
            return None
        ex = _Expr(i, j, tk.s[i], tk.e[j - 1], value=value, mantissa=value, plain=plain)
        sc = _scale_at(tk, j)
        if sc:
            ex.value, ex.scale, ex.i1, ex.end, ex.plain = value * sc, sc, j + 1, tk.e[j], None
        elif tk.punct(i - 1, "(") and tk.punct(j, ")") and _scale_at(tk, j + 1):
            sc = _scale_at(tk, j + 1) or 1  # "(285) مليون دولار"
            ex.value, ex.scale, ex.i1, ex.end, ex.plain = value * sc, sc, j + 2, tk.e[j + 1], \
                None
            ex.start = tk.s[i - 1]
        return ex
    sub = _sub1000(tk, i, clitics)
    if sub:
        value, j, clitic, kinds = sub
        if kinds == ("U",) and value == 9 and tk.word(i).endswith("تسع") and \
                (tk.is_(j, _D) or clitic.endswith("ل")):
            return None  # تسع as the verb "holds": "تسع 500 شخص"
        ex = _Expr(i, j, tk.start_after(i, clitic), tk.e[j - 1], value=Fraction(value),
                   mantissa=Fraction(value), words=True, clitic=clitic, parts=kinds)
        sc = _scale_at(tk, j)
        if sc:
            ex.value, ex.scale, ex.i1, ex.end = Fraction(value * sc), sc, j + 1, tk.e[j]
        return ex
    got = tk.stem(i, _CARD, clitics)
    if not got and clitics == _LEAD:
        # المليون، المليار (never الألف, also the letter alif): "قرابة المليون مواطن"
        got = tk.stem(i, _BIG_SG, _ART)
    if not got:
        return None
    clitic, stem = got
    cat, value = _CARD[stem]
    start = tk.start_after(i, clitic)
    if cat in (_SG, _DU):
        mult = 2 if cat == _DU else 1
        if cat == _SG and stem.endswith("ا") and "\u064b" not in tk.r[i] \
                and _noun_like(tk, i + 1):
            mult = 2  # ألفا جندي is the dual in construct; ألفًا with tanween stays 1000
        return _Expr(i, i + 1, start, tk.e[i], value=Fraction(mult * value),
                     mantissa=Fraction(mult), scale=value, words=True, clitic=clitic,
                     parts=("S",))
    if cat == _FRAC:
        big = tk.stem(i + 1, _BIG_SG, ("ال",))
        sc = _CARD[big[1]][1] if big else _scale_at(tk, i + 1)
        if sc and (big or _CARD[tk.word(i + 1)][0] == _SG):
            return _Expr(i, i + 2, start, tk.e[i + 1], value=Fraction(sc, value),
                         scale=sc, words=True, clitic=clitic, parts=("F",))
    return None


def _expr(tk: _Tokens, i: int, clitics: tuple[str, ...] = _LEAD) -> _Expr | None:
    """A whole number: groups joined by و, each below the scale of the one before.

    "ثلاثة آلاف وخمسمئة" = 3500, "62 ألفًا و744" = 62744, "مليون ونصف" = 1,500,000.
    """
    ex = _group(tk, i, clitics)
    if not ex:
        return None
    while ex.scale > 1:
        cont = _cont(tk, ex.i1)
        if not cont:
            break
        k, cl = cont
        half = tk.stem(k, _CARD, cl)
        if half and _CARD[half[1]][0] == _FRAC:
            ex.value = (ex.value or 0) + Fraction(ex.scale, _CARD[half[1]][1])
            ex.i1, ex.end, ex.plain, ex.mantissa = k + 1, tk.e[k], None, None
            ex.groups += 1
            break
        nxt = _group(tk, k, cl)
        if not nxt or nxt.value is None or ex.value is None or nxt.value >= ex.scale:
            break
        ex.value += nxt.value
        ex.i1, ex.end, ex.scale, ex.plain, ex.mantissa = nxt.i1, nxt.end, nxt.scale, None, None
        ex.words = ex.words or nxt.words
        ex.groups += 1
    return ex


def _vague(tk: _Tokens, i: int) -> _Expr | None:
    """عشرات، مئات، آلاف، عشرات الآلاف، بضعة آلاف، بضعة عشر، نيف وعشرون …

    A plural of a unit u is read as at least 3u (the dual covers 2u); below a thousand it
    is also at most 10u − 1 (the next word up, مئات or آلاف, would be used beyond that).
    """
    got = tk.stem(i, _CARD, _LEAD + _ART)
    if not got:
        return None
    clitic, stem = got
    cat, value = _CARD[stem]
    start = tk.start_after(i, clitic)
    if clitic in _ART and cat not in (_VAGUE, _PL):
        return None

    def bigger(j: int, unit: int) -> tuple[int, int]:
        nxt = tk.stem(j, _CARD, ("", "ال"))
        if nxt and _CARD[nxt[1]][0] in (_VAGUE, _PL) and _CARD[nxt[1]][1] > unit:
            return unit * _CARD[nxt[1]][1], j + 1
        return unit, j

    if cat in (_VAGUE, _PL):
        unit, j = bigger(i + 1, value)
        if tk.word(j) == _norm("مؤلفة"):
            j += 1
        high = 10 * unit - 1 if unit < 1000 else None
        return _Expr(i, j, start, tk.e[j - 1], low=3 * unit, high=high, vague=True,
                     clitic=clitic)
    if cat in (_FEW, _SEVERAL):
        nxt = tk.stem(i + 1, _CARD, ("", "ال"))
        if nxt and _CARD[nxt[1]][0] in (_VAGUE, _PL):
            unit, j = bigger(i + 2, _CARD[nxt[1]][1])
            return _Expr(i, j, start, tk.e[j - 1], low=3 * unit, high=9 * unit, vague=True,
                         clitic=clitic)
        if cat == _SEVERAL:
            return None  # عدة + noun ("several") is not counted
        if tk.word(i + 1) in _TEN_WORDS:
            return _Expr(i, i + 2, start, tk.e[i + 1], low=13, high=19, vague=True,
                         clitic=clitic)
        tens = _tens_after_and(tk, i + 1)
        if tens:
            return _Expr(i, tens[1], start, tk.e[tens[1] - 1], low=tens[0] + 3,
                         high=tens[0] + 9, vague=True, clitic=clitic)
        return _Expr(i, i + 1, start, tk.e[i], low=3, high=9, vague=True, clitic=clitic)
    if cat == _NAYIF:
        tens = _tens_after_and(tk, i + 1)
        if tens:
            return _Expr(i, tens[1], start, tk.e[tens[1] - 1], low=tens[0] + 1,
                         high=tens[0] + 9, vague=True, clitic=clitic)
    return None


def _tens_after_and(tk: _Tokens, j: int) -> tuple[int, int] | None:
    """'وعشرون' right at j: (20, next index)."""
    cont = _cont(tk, j)
    if not cont:
        return None
    got = tk.stem(cont[0], _CARD, cont[1])
    if got and _CARD[got[1]][0] == _TENS:
        return _CARD[got[1]][1], cont[0] + 1
    return None


def _ordinal(tk: _Tokens, i: int) -> _Expr | None:
    """الأول، الثانية، الحادي عشر، الحادي والعشرين، العشرين (definite tens) …"""
    got = tk.stem(i, _ORD, _LEAD + _ART)
    if got:
        clitic, stem = got
        value, j = _ORD[stem], i + 1
        hadi = stem in _HADI
        if tk.word(j) in _TEN_WORDS and (hadi or 2 <= value <= 9):
            value, j = value + 10, j + 1
        else:
            cont = _cont(tk, j)
            if cont and value <= 9:
                k, cl = cont
                allowed = cl + tuple(c + "ال" for c in cl) if cl != ("",) else ("", "ال")
                t = tk.stem(k, _CARD, allowed)
                if t and _CARD[t[1]][0] == _TENS:
                    value, j = value + _CARD[t[1]][1], k + 1
            if hadi and j == i + 1:
                return None
        if stem == _norm("ثاني") and not clitic and tk.word(i - 1) == "ال":
            return None  # آل ثاني, a family name
        return _Expr(i, j, tk.start_after(i, clitic), tk.e[j - 1], value=Fraction(value),
                     words=True, clitic=clitic)
    got = tk.stem(i, _CARD, _ART)
    if got and _CARD[got[1]][0] == _TENS:
        clitic, stem = got
        return _Expr(i, i + 1, tk.start_after(i, clitic), tk.e[i],
                     value=Fraction(_CARD[stem][1]), words=True, clitic=clitic)
    return None


# --- context -------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 14)
def _is_known_noun(w: str) -> bool:
    """A counted noun from the lexicon, with or without article and accusative alef."""
    for stem in (w, w[2:] if w.startswith("ال") else ""):
        if stem and (stem in _NOUNS or stem.endswith("ا") and stem[:-1] in _NOUNS):
            return True
    return False


def _noun_like(tk: _Tokens, i: int) -> bool:
    """Whether the word at i can be the counted noun after a number."""
    w = tk.word(i)
    if len(w) < 2:
        return False
    if _is_known_noun(w):
        return True
    if w in _NOT_NOUN or w in _HEDGE_WORDS or w in _MONTHS or w in _TIME_OF_DAY \
            or w in _PERCENT_WORDS or w in _MONTH_FIRST or w in _WEEKDAYS or w in _YEAR_MARKS:
        return False
    if _interesting(w) and (tk.stem(i, _CARD, _LEAD + _ART) or tk.stem(i, _ORD, _LEAD + _ART)):
        return False
    if w[0] == "و" or w.startswith(("بال", "لل", "فال", "كال")):
        return False  # a new clause or a prepositional phrase
    if w.endswith("وا") and len(w) > 3:
        return False  # a plural verb: نقلوا، كانوا
    return True


def _noun_after(tk: _Tokens, j: int, partitive_only: bool = False) -> int | None:
    """Index of the counted noun right after a number that ends before j, if any."""
    if tk.punct(j, _QUOTES):
        j += 1
    if not partitive_only and _noun_like(tk, j):
        return j
    if tk.word(j) == "من" and _is_genitive_noun(tk.word(j + 1)):
        return j + 1  # partitive: "150 من المعتقلين"
    return None


@lru_cache(maxsize=1 << 14)
def _is_genitive_noun(w: str) -> bool:
    """A lexicon noun after من: definite or in construct (معتقلي داعش), no accusative alef."""
    stem = w[2:] if w.startswith("ال") else w
    return stem in _NOUNS or stem.endswith("ي") and stem + "ن" in _NOUNS


def _match_back(tk: _Tokens, pat: tuple, j: int, floor: int) -> tuple[int, str] | None:
    """The longest match of a hedge pattern ending just before token j: (first token, clitic).

    A clitic (بـ، لـ، و …) is allowed on the first word matched; "*" is a bounded gap of a
    counting word and one more word ("قد يصل عدد المعتقلين إلى").
    """
    best: list[tuple[int, str]] = []

    def rec(m: int, j: int) -> None:
        alts, optional = pat[m]
        if alts == _GAP:
            options = [j]
            if j - 1 >= floor and _gap_head(tk, j - 1):
                options.append(j - 1)
            if j - 2 >= floor and _gap_head(tk, j - 2) and tk.is_(j - 1, _W):
                options.append(j - 2)
            for jj in options:
                if m > 0:
                    rec(m - 1, jj)
            return
        k = j - 1
        if k >= floor:
            w = tk.word(k)
            hit = None
            first = all(o for _, o in pat[:m])
            if w in alts:
                hit = ""
            elif first and w:
                for clitic, stem in _splits(w):
                    if clitic in _LEAD and stem in alts:
                        hit = clitic
                        break
            if hit is not None:
                if first and (not best or k < best[0][0]):
                    best[:] = [(k, hit)]
                if m > 0:
                    rec(m - 1, k)
        if optional and m > 0:
            rec(m - 1, j)

    rec(len(pat) - 1, j)
    return best[0] if best else None


def _gap_head(tk: _Tokens, k: int) -> bool:
    w = tk.word(k)
    return w in _GAP_HEADS or any(s in _GAP_HEADS for c, s in _splits(w) if c in _LEAD)


def _last_words(pat: tuple) -> tuple[frozenset, bool]:
    """Words a pattern can end on, and whether it can end on a gap (any word)."""
    words: set[str] = set()
    gap_end = False
    for alts, optional in reversed(pat):
        if alts == _GAP:
            gap_end = True  # the gap may also be empty: go on to the word before it
            continue
        words |= alts
        if not optional:
            break
    return frozenset(words), gap_end


_PRE_BY_LAST: dict[str, list[tuple[str, tuple]]] = {}
_PRE_GAP_END: list[tuple[str, tuple]] = []
for _hedge, _pat in _PRE:
    _last, _gap_end = _last_words(_pat)
    for _w in _last:
        _PRE_BY_LAST.setdefault(_w, []).append((_hedge, _pat))
    if _gap_end:
        _PRE_GAP_END.append((_hedge, _pat))


def _candidates(tk: _Tokens, j: int, floor: int) -> list[tuple[str, tuple]]:
    """The hedge patterns worth trying before token j (indexed by the word they end on)."""
    out: list[tuple[str, tuple]] = []
    w = tk.word(j - 1) if j - 1 >= floor else ""
    if w:
        for _, stem in _splits(w):
            out.extend(_PRE_BY_LAST.get(stem, ()))
    if j - 1 >= floor and (_gap_head(tk, j - 1) or j - 2 >= floor and _gap_head(tk, j - 2)):
        out.extend(_PRE_GAP_END)
    return out


def _pre_hedges(tk: _Tokens, i: int, floor: int) -> tuple[list[str], int]:
    """Hedges stacked before token i: (classes, outermost first; start offset or -1)."""
    classes: list[str] = []
    j, start = i, -1
    for _ in range(3):
        found: tuple[int, str, str] | None = None
        for hedge, pat in _candidates(tk, j, floor):
            got = _match_back(tk, pat, j, floor)
            if got and (found is None or got[0] < found[0]):
                found = (got[0], got[1], hedge)
        if not found:
            break
        classes.insert(0, found[2])
        j = found[0]
        start = tk.start_after(found[0], found[1])
    return classes, start


_POST_FIRST = frozenset(w for _, pat in _POST for w in pat[0][0])


def _post_hedge(tk: _Tokens, j: int) -> tuple[str, int] | None:
    """A hedge right after the number or its noun: (class, index after it)."""
    if tk.word(j) not in _POST_FIRST:
        return None
    best = None
    for hedge, pat in _POST:
        k = j
        for alts, optional in pat:
            if tk.word(k) in alts:
                k += 1
            elif not optional:
                break
        else:
            if k > j and (best is None or k > best[1]):
                best = (hedge, k)
    return best


def _combine(classes: list[str]) -> str:
    """Stacked hedges: a bound (more than, fewer than, up to) wins over 'about'."""
    bounds = [c for c in classes if c != "approx"]
    if bounds:
        return bounds[0]
    return "approx" if classes else "exact"


_MONTH_CLITICS = ("", "و", "ب", "ل", "ف")


def _month_at(tk: _Tokens, i: int) -> int | None:
    """Index after a month name at i (one or two words, 'كانون الثاني/يناير'), else None."""
    if tk.word(i) in ("شهر",) and (tk.word(i + 1) in _MONTHS or tk.word(i + 1) in _MONTH_FIRST):
        i += 1  # "السابع من شهر أكتوبر"
    if tk.stem(i, _MONTHS, _MONTH_CLITICS):
        j = i + 1
    elif tk.word(i) in _MONTH_FIRST and tk.word(i + 1) in _MONTH_FIRST[tk.word(i)]:
        j = i + 2
    else:
        return None
    if tk.punct(j, "/("):
        if tk.word(j + 1) in _MONTHS:
            j += 2
        elif tk.word(j + 1) in _MONTH_FIRST and \
                tk.word(j + 2) in _MONTH_FIRST[tk.word(j + 1)]:
            j += 3
        if tk.punct(j, ")"):
            j += 1
    return j


def _year_after(tk: _Tokens, j: int) -> int | None:
    """Index after a year right at j ('2026', '2026م', '1446 هـ', 'ألفين وستة عشر')."""
    if tk.is_(j, _D) and len(tk.r[j]) == 4 and not tk.punct(j + 1, "/-:"):
        return j + 2 if tk.word(j + 1) in _YEAR_MARKS else j + 1
    if tk.word(j) and _interesting(tk.word(j)):
        ex = _expr(tk, j, ("",))
        if ex and ex.words and ex.value is not None and 1000 <= ex.value <= 2100 \
                and ex.scale == 1:
            return ex.i1 + 1 if tk.word(ex.i1) in _YEAR_MARKS else ex.i1
    return None


_GLUED = frozenset(_words("ال ب ل و ف ك بال لل وال فال كال وب ول"))
_BETWEEN = frozenset(("بين",))


def _lead(tk: _Tokens, i: int, floor: int) -> tuple[int, bool]:
    """First token of the number incl. a glued 'الـ'/'بـ'/'لـ' token, and whether it has ال."""
    if i - 1 >= floor and tk.word(i - 1) in _GLUED and (
            tk.adjacent(i - 1, i) or tk.r[i - 1].endswith("ـ")):
        return i - 1, "ال" in tk.word(i - 1) or tk.word(i - 1) == "لل"
    return i, False


def _prev_word(tk: _Tokens, i: int, floor: int) -> tuple[str, int]:
    """The word before the number at i (a glued 'الـ' set aside) and its index."""
    j = _lead(tk, i, floor)[0] - 1
    if j < floor or j < 0:
        return "", -1
    return tk.word(j), j


def _stem_of(w: str, table: frozenset) -> bool:
    return bool(w) and any(stem in table for clitic, stem in _splits(w) if clitic in _LEAD)


# --- building quantities -------------------------------------------------------------------

def _make(tk: _Tokens, start: int, end: int, lo: int | None, best: int | None,
          hi: int | None, hedge: str, kind: str, noun: int | None, ns: int, ne: int) \
        -> Quantity:
    return Quantity(start, end, tk.text[start:end], lo, best, hi, hedge, kind,
                    tk.r[noun] if noun is not None else None, ns, ne)


def _int(v: Fraction | None) -> int | None:
    """A value as an integer: exact, or rounded once a scale word made it large (1.2345 ألف)."""
    if v is None:
        return None
    if v.denominator == 1:
        return int(v)
    if v >= 1000:
        return int(v + Fraction(1, 2))
    return None


def _bounds(hedge: str, v: int | None) -> tuple[int | None, int | None, int | None]:
    """Where a hedged value goes: best, low or high (the ledger's convention)."""
    if hedge in ("exact", "approx"):
        return None, v, None
    if hedge in LOW_BOUNDS:
        return v, None, None
    return None, None, v


def _at(tk: _Tokens, i: int, floor: int) -> tuple[Quantity | None, int]:
    """Parse a quantity whose number starts at token i: (quantity or None, next index)."""
    if tk.k[i] == _D:
        lit = _literal(tk, i)
        if lit[3]:
            return _special(tk, i, lit, floor)
        ex = _expr(tk, i)
        return _finish(tk, ex, floor) if ex else (None, i + 1)
    w = tk.word(i)
    if not _interesting(w):
        return None, i + 1
    if w in _MONTH_FIRST or tk.stem(i, _MONTHS, _MONTH_CLITICS):
        j = _month_at(tk, i)
        if j is not None:
            y = _year_after(tk, j)
            if y is not None:  # "يناير 2026", "كانون الثاني 2026"
                got = tk.stem(i, _MONTHS, _MONTH_CLITICS)
                s = tk.start_after(i, got[0] if got else "")
                e = tk.e[y - 1]
                return _make(tk, s, e, None, None, None, "exact", "date", None, s, e), y
            return None, j
    ex = _expr(tk, i) or _vague(tk, i)
    if ex is not None:
        if ex.parts in (("U",),) and ex.value in (1, 2) and ex.i1 == i + 1:
            return _one_or_two(tk, ex, floor)
        return _finish(tk, ex, floor)
    o = _ordinal(tk, i)
    if o is not None:
        return _ordinal_quantity(tk, o, floor)
    got = tk.stem(i, _CARD, _ART)
    if got and _CARD[got[1]][0] in (_U, _TEN) and 3 <= _CARD[got[1]][1] <= 10:
        return _definite(tk, i, got, floor)
    d = tk.stem(i, _DUAL_TIME, _LEAD + _ART)
    if d:  # أسبوعين، يومين: a duration of two
        s = tk.start_after(i, d[0])
        classes, hs = _pre_hedges(tk, i, floor)
        hedge = _combine(classes)
        lo, best, hi = _bounds(hedge, 2)
        return _make(tk, hs if classes else s, tk.e[i], lo, best, hi, hedge, "duration", i,
                     s, tk.e[i]), i + 1
    return None, i + 1


def _one_or_two(tk: _Tokens, ex: _Expr, floor: int) -> tuple[Quantity | None, int]:
    """واحد / اثنان alone count only outside idioms: not 'في آن واحد', 'واحد من', 'كل واحد'.

    Arabic counts one and two with the noun itself, so these words usually follow their noun
    ("معتقل واحد"): that noun, before the number, is given as the counted noun.
    """
    prev, pj = _prev_word(tk, ex.i0, floor)
    nxt = tk.word(ex.i1)
    if ex.value == 1:
        if nxt in ("من", "منهم", "منها", "منكم", "منا") or pj < 0 or not _noun_like(tk, pj) \
                or _stem_of(prev, _ONE_IDIOMS) or prev in ("كل", "لكل"):
            return None, ex.i1
    q, j = _finish(tk, ex, floor)
    partitive = tk.word(ex.i1) == "من"
    if q and q.kind == "figure" and not (q.noun and partitive):
        noun = tk.r[pj] if pj >= 0 and _noun_like(tk, pj) else None
        kind = "duration" if noun and _stem_of(prev, _TIME_UNITS) else "figure"
        q = Quantity(q.start, q.end, q.text, q.value_low, q.value_best, q.value_high, q.hedge,
                     kind, noun, q.number_start, q.number_end)
    return q, j


def _special(tk: _Tokens, i: int, lit: tuple, floor: int) -> tuple[Quantity | None, int]:
    """Dates in digits, clock times, slashed pairs and model or phone numbers."""
    value, j, _, special = lit
    s, e = tk.s[i], tk.e[j - 1]
    if special == "date":
        return _make(tk, s, e, None, None, None, "exact", "date", None, s, e), j
    if special == "slash":
        a, b = int(tk.r[i]), int(tk.r[i + 2])
        prev, _ = _prev_word(tk, i, floor)
        if prev in _words("في يوم بتاريخ تاريخ") and 1 <= a <= 31 and 1 <= b <= 12:
            return _make(tk, s, e, None, None, None, "exact", "date", None, s, e), j
        return _make(tk, s, e, None, None, None, "exact", "other", None, s, e), j
    return _make(tk, s, e, None, _int(value), None, "exact", "other", None, s, e), j


def _ordinal_quantity(tk: _Tokens, o: _Expr, floor: int) -> tuple[Quantity | None, int]:
    """An ordinal word: a date when a month follows, 'other' after المادة/الساعة."""
    prev, _ = _prev_word(tk, o.i0, floor)
    j = o.i1
    if prev in _MONTH_FIRST:
        return None, j  # كانون الثاني, تشرين الأول
    m = _month_at(tk, j + 1 if tk.word(j) == "من" else j)
    if m is not None and o.value is not None and o.value <= 31:
        y = _year_after(tk, m) or m
        return _make(tk, o.start, tk.e[y - 1], None, None, None, "exact", "date", None,
                     o.start, tk.e[y - 1]), y
    kind = "other" if _stem_of(prev, _OTHER_CUES) or tk.word(j) in _TIME_OF_DAY \
        else "ordinal"
    return _make(tk, o.start, o.end, None, _int(o.value), None, "exact", kind, None, o.start,
                 o.end), j


def _definite(tk: _Tokens, i: int, got: tuple[str, str], floor: int) \
        -> tuple[Quantity | None, int]:
    """الثلاثة، الخمس after a noun: a count of that noun (a duration after السنوات …)."""
    prev, pj = _prev_word(tk, i, floor)
    if pj < 0 or not _noun_like(tk, pj) or pj != i - 1:
        return None, i + 1
    clitic, stem = got
    s = tk.start_after(i, clitic)
    kind = "duration" if prev in _PLURAL_TIME else "figure"
    return _make(tk, s, tk.e[i], None, _CARD[stem][1], None, "exact", kind, pj, s,
                 tk.e[i]), i + 1


def _range_tail(tk: _Tokens, ex: _Expr, opener: str) -> _Expr | None:
    """The second number of a range after X, when a connector follows X."""
    j = ex.i1
    w = tk.word(j)
    cand = None
    if tk.punct(j, _DASHES):
        if tk.is_(j + 1, _D):
            cand = _expr(tk, j + 1, ("",))
    elif w in ("الي", "حتي"):
        cand = _expr(tk, j + 1, ("",))
        if cand is None and tk.word(j + 1) in ("ال", "ل") and tk.adjacent(j + 1, j + 2):
            cand = _expr(tk, j + 2, ("",))
    elif w == "او":
        cand = _expr(tk, j + 1, ("",))
    elif opener == "بين":
        cont = _cont(tk, j)
        if cont:
            cand = _expr(tk, cont[0], cont[1])
    if cand is None or cand.value is None or ex.value is None:
        return None
    return cand


def _law_cue_before(tk: _Tokens, pj: int, floor: int, ex: _Expr) -> bool:
    """'قرار مجلس الأمن 2254', 'القانون السوري 49': a law cue up to three words back."""
    if pj < 0 or not ex.plain or _noun_after(tk, ex.i1) is not None:
        return False
    for k in range(pj, max(floor, pj - 3) - 1, -1):
        if not tk.is_(k, _W):
            return False
        if _stem_of(tk.word(k), _LAW_CUES):
            return True
    return False


def _change_before(tk: _Tokens, pj: int) -> bool:
    """'ارتفع العدد من 300 إلى 400' reports a change (two figures), not a range."""
    for k in range(max(0, pj - 5), pj):
        if any(stem.startswith(_CHANGE_WORDS) for _, stem in _splits(tk.word(k))):
            return True
    return False


def _year_kind(tk: _Tokens, ex: _Expr, prev: str, floor: int, y_ex: _Expr | None) -> bool:
    """Whether the number is a year: 'عام 2025', '2025م', 'في 2019', a bare 19xx/20xx."""
    if ex.vague or ex.value is None or ex.value.denominator != 1:
        return False
    v = int(ex.value)
    j = ex.i1
    if y_ex is not None:
        return bool(ex.plain and y_ex.plain and len(ex.plain) == 4 and len(y_ex.plain) == 4
                    and 1900 <= v <= 2100 and not _is_known_noun(tk.word(y_ex.i1)))
    if ex.plain and len(ex.plain) in (3, 4) and tk.word(j) in _YEAR_MARKS and (
            len(ex.plain) == 4 or tk.word(j) != "م"):
        return True  # 2025م، 1446 هـ (but "300 م" is metres)
    if _stem_of(prev, _YEAR_CUES) and (ex.plain and len(ex.plain) in (3, 4)
                                       or ex.words and 1000 <= v <= 2100):
        return True
    if not (ex.plain and len(ex.plain) == 4 and 1900 <= v <= 2099):
        return False
    nxt = tk.word(j)
    if _is_known_noun(nxt) or nxt == "من" and _is_known_noun(tk.word(j + 1)):
        return False
    if tk.punct(j, "%٪") or nxt in _PERCENT_WORDS or nxt in _TIME_UNITS:
        return False
    return not _pre_hedges(tk, _lead(tk, ex.i0, floor)[0], floor)[0]


def _finish(tk: _Tokens, ex: _Expr, floor: int) -> tuple[Quantity | None, int]:
    """Ranges, hedges, kind, unit words and the counted noun around a parsed number."""
    i, j = ex.i0, ex.i1
    lead, glued_article = _lead(tk, i, floor)
    prev, pj = _prev_word(tk, i, floor)
    if ex.clitic in _ART:
        glued_article = True
    ns, ne = ex.start, ex.end
    # Ranges: بين X و Y، ما بين، من X إلى Y، X-Y، X – Y، X إلى Y، X أو Y.
    y_ex: _Expr | None = None
    lo_v = hi_v = None
    opener = -1
    if not ex.vague:
        kind_of_opener = "بين" if _stem_of(prev, _BETWEEN) else \
            "من" if prev in ("من", "ومن") else ""
        y_ex = _range_tail(tk, ex, kind_of_opener)
        if y_ex is not None:
            x_val, y_val = ex.value, y_ex.value
            if ex.scale == 1 and y_ex.scale > 1 and y_ex.mantissa is not None \
                    and x_val is not None and x_val < y_ex.mantissa:
                x_val = x_val * y_ex.scale  # بين 5 و7 آلاف
            is_change = kind_of_opener == "من" and _change_before(tk, pj)
            if y_ex.vague or x_val is None or y_val is None or not x_val < y_val or is_change:
                if tk.punct(ex.i1, _DASHES) and tk.adjacent(ex.i1 - 1, ex.i1) \
                        and tk.adjacent(ex.i1, y_ex.i0) and ex.plain and y_ex.plain:
                    # "3-1": a score or a code, not a range
                    return _make(tk, ns, y_ex.end, None, None, None, "exact", "other", None,
                                 ns, y_ex.end), y_ex.i1
                y_ex = None
            else:
                lo_v, hi_v, ne, j = x_val, y_val, y_ex.end, y_ex.i1
                if kind_of_opener:
                    opener = pj
    # The word before decides article and law numbers, clock times and ordinals.
    if y_ex is None and not ex.vague and (_stem_of(prev, _OTHER_CUES)
                                          or _law_cue_before(tk, pj, floor, ex)):
        return _make(tk, ns, ne, None, _int(ex.value), None, "exact", "other", None, ns,
                     ne), j
    # Dates: a day number, then a month.
    if not ex.vague and ex.value is not None and ex.scale == 1 and ex.groups == 1:
        jm = j + 1 if tk.word(j) == "من" else j
        m = _month_at(tk, jm)
        if m is None and tk.word(jm) in _RELATIVE_MONTH and tk.word(jm + 1) in _MONTH_ADJ:
            m = jm + 2
        top = hi_v if y_ex is not None else ex.value
        if m is not None and 1 <= ex.value and top is not None and top <= 31:
            y = _year_after(tk, m) or m
            s = ns if opener < 0 else _opener_start(tk, opener, floor)
            return _make(tk, s, tk.e[y - 1], None, None, None, "exact", "date", None, ns,
                         tk.e[y - 1]), y
    if _year_kind(tk, ex, prev, floor, y_ex):
        if y_ex is not None:
            s = ns if opener < 0 else _opener_start(tk, opener, floor)
            return _make(tk, s, ne, _int(lo_v), None, _int(hi_v), "range", "year", None, ns,
                         ne), j
        end = ne
        if tk.word(j) in _YEAR_MARKS:
            end, j = tk.e[j], j + 1
        return _make(tk, ns, end, None, _int(ex.value), None, "exact", "year", None, ns,
                     ne), j
    if not ex.vague and y_ex is None and glued_article and prev in _PLURAL_TIME:
        # "الساعات الـ24 الماضية": the time noun comes first
        return _make(tk, ns, ne, None, _int(ex.value), None, "exact", "duration", pj, ns,
                     ne), j
    if not ex.vague and y_ex is None and (
            _stem_of(prev, _ORD_CUES_STRONG)
            or glued_article and _stem_of(prev, _ORD_CUES_WITH_ARTICLE)):
        return _make(tk, ns, ne, None, _int(ex.value), None, "exact", "ordinal", None, ns,
                     ne), j
    # Unit words after the number.
    kind, end, start_unit, noun = "figure", ne, ns, None
    if tk.punct(j, "%٪"):
        kind, end, j = "percentage", tk.e[j], j + 1
    elif tk.word(j) in _PERCENT_WORDS:
        kind, end, j = "percentage", tk.e[j], j + 1
    elif tk.word(j) in ("في", "فى") and tk.word(j + 1) in _PERCENT_AFTER_FI:
        kind, end, j = "percentage", tk.e[j + 1], j + 2
    elif tk.punct(lead - 1, "%٪") and tk.adjacent(lead - 1, lead) and lead - 1 >= floor:
        kind, start_unit = "percentage", tk.s[lead - 1]
    elif tk.word(j) in _TIME_UNITS:
        kind, end, noun, j = "duration", tk.e[j], j, j + 1
    elif tk.word(j) in _TIME_OF_DAY and not ex.vague and ex.value is not None \
            and ex.value <= 24:
        return _make(tk, ns, ne, None, _int(ex.value), None, "exact", "other", None, ns,
                     ne), j
    # Hedges before the number (or before the range's opener), after it, or after the noun.
    back_from = opener if opener >= 0 else (lead if start_unit == ns else lead - 1)
    if lead != i and tk.word(lead) in ("ل", "ب") and opener < 0:
        back_from = i  # "قد يصل لـ7 آلاف", "يقدر بـ300": the hedge ends on the glued word
    if opener >= 0 and tk.word(opener - 1) == "ما" and tk.word(opener) == "بين":
        back_from = opener - 1
    classes, hs = _pre_hedges(tk, back_from, floor)
    post = _post_hedge(tk, j)
    if post:
        end, j = tk.e[post[1] - 1], post[1]
    if noun is None:
        noun = _noun_after(tk, j, partitive_only=kind == "percentage")
        if noun is not None:
            if kind == "figure" and tk.word(noun) in _TIME_UNITS | _PLURAL_TIME:
                kind = "duration"
            j = noun + 1
            if not post:
                post = _post_hedge(tk, j)
                if post:
                    end, j = tk.e[post[1] - 1], post[1]
    if post:
        classes = classes + [post[0]]
    hedge = _combine(classes)
    if hs >= 0:
        start = hs
    elif opener >= 0:
        start = _opener_start(tk, opener, floor)
    else:
        start = start_unit
    if ex.vague:
        return _vague_quantity(tk, ex, hedge, start, end, kind, noun), j
    if y_ex is not None:
        if hedge in HIGH_BOUNDS:
            return _make(tk, start, end, None, None, _int(hi_v), hedge, kind, noun, ns, ne), j
        return _make(tk, start, end, _int(lo_v), None, _int(hi_v), "range", kind, noun, ns,
                     ne), j
    value = _int(ex.value)
    if value is None and kind == "figure":
        # a decimal without a scale word measures something (2.5 km); it is not a count
        return _make(tk, ns, ne, None, None, None, "exact", "other", noun, ns, ne), j
    lo, best, hi = _bounds(hedge, value)
    return _make(tk, start, end, lo, best, hi, hedge, kind, noun, ns, ne), j


def _opener_start(tk: _Tokens, opener: int, floor: int) -> int:
    """Start of 'بين' / 'ما بين' / 'من' (a leading و set aside)."""
    if tk.word(opener) == "بين" and tk.word(opener - 1) == "ما" and opener - 1 >= floor:
        return tk.s[opener - 1]
    w = tk.word(opener)
    return tk.start_after(opener, "و") if w.startswith("و") else tk.s[opener]


def _vague_quantity(tk: _Tokens, ex: _Expr, hedge: str, start: int, end: int, kind: str,
                    noun: int | None) -> Quantity:
    """Vague words keep their bounds; 'more than' keeps only the low, 'up to' only the high."""
    lo, hi = ex.low, ex.high
    if hedge in LOW_BOUNDS:
        return _make(tk, start, end, lo, None, None, hedge, kind, noun, ex.start, ex.end)
    if hedge in HIGH_BOUNDS and hi is not None:
        return _make(tk, start, end, None, None, hi, hedge, kind, noun, ex.start, ex.end)
    s = start if hedge == "approx" else ex.start
    return _make(tk, s, max(end, ex.end), lo, None, hi, "vague", kind, noun, ex.start, ex.end)


def find(text: str) -> list[Quantity]:
    """Every quantity phrase in `text`, in text order, non-overlapping."""
    tk = _Tokens(text)
    out: list[Quantity] = []
    i, floor, k, s, e = 0, 0, tk.k, tk.s, tk.e
    while i < tk.n:
        ki = k[i]
        if ki == _P or ki == _L or ki == _W and not _interesting_raw(text[s[i]:e[i]]):
            i += 1
            continue
        q, nxt = _at(tk, i, floor)
        if q is not None:
            if out and q.start < out[-1].end:
                q = _trim(q, out[-1].end)
            if q is not None:
                out.append(q)
                floor = nxt
        i = max(nxt, i + 1)
    return out


def _trim(q: Quantity, limit: int) -> Quantity | None:
    """Keep phrases apart: a hedge word already inside the phrase before is left out."""
    if q.number_start < limit:
        return None
    return Quantity(q.number_start, q.end, q.text[q.number_start - q.start:], q.value_low,
                    q.value_best, q.value_high, q.hedge, q.kind, q.noun, q.number_start,
                    q.number_end)
