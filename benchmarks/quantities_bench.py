"""Throughput and linearity of analysis.quantities.find on a synthetic Arabic news corpus.

    python benchmarks/quantities_bench.py [--size-kb 500] [--runs 5] [--seed 2026]

Builds a deterministic corpus (seeded) of news-like sentences, most without numbers and the
rest with every supported form (digits in three scripts, separators, scale words, number
words with tashkeel, hedges, ranges, vague words, years, dates, percentages, ordinals,
durations, article numbers), then reports:

- throughput in MB/s of UTF-8 text on one core (median of the runs, process CPU time);
- time(10x corpus) / time(1x corpus): about 10 when the grammar is linear (the 10x corpus is
  generated afresh, not the 1x text repeated; runs of both are interleaved);
- the same ratio on hostile inputs (long runs of digits, separators, و, tashkeel, hedges)
  that would expose catastrophic backtracking.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from analysis.quantities import find  # noqa: E402

FILLER = [
    "بدأت الحكومة نقل المعتقلين من سجونها ضمن خطة منسقة مع السلطات.",
    "وقالت مصادر مطلعة إن المحادثات ركزت على انتقال سلس للسيطرة.",
    "وأكد المتحدث أهمية ضمان إتمام العملية دون معيقات وتسهيل إجراءاتها.",
    "وتنتظر الأطراف المعنية صدور المزيد من التفاصيل فيما يتعلق بالمواقيت.",
    "ورحبت وزارة الخارجية بالعملية التي أطلقتها الولايات المتحدة.",
    "وتواجه دمشق العديد من المواضيع المهمة على الأرض، وفق رويترز.",
    "كما جاء هذا الانتشار في المخيم الشهير بعد مفاوضات مع التحالف الدولي.",
    "وأشار البيان إلى أن التنسيق الثلاثي مستمر بين الحكومات.",
    "وَتُعَدُّ هَذِهِ الخُطْوَةُ مُهِمَّةً لِتَعْزِيزِ الأَمْنِ وَالاسْتِقْرارِ فِي المِنْطَقَةِ.",
    "يوم الاثنين عقد الأحد المقبل اجتماعاً في آن واحد مع أحد المسؤولين.",
]
HEDGES = ["", "", "", "نحو ", "حوالي ", "قرابة ", "أكثر من ", "ما يزيد على ", "أقل من ",
          "قد يصل إلى ", "ما يقارب ", "لا يقل عن ", "زهاء ", "حتى "]
NOUNS = ["معتقل", "معتقلا", "عنصر", "عنصراً", "مقاتل", "شخص", "أشخاص", "عائلة", "سجين",
         "سجناء", "طفل", "امرأة", "نازح", "لاجئ", "داعشي"]
WORD_NUMBERS = ["ثلاثة", "خمسة", "عشرة", "خمسة وعشرون", "مئة وخمسون", "ثلاثمئة",
                "ثلاثة آلاف وخمسمئة", "عشرة آلاف", "ألفين", "مئتا", "أحد عشر",
                "ثَلاثَةُ آلافٍ", "ثلاثــة آلاف", "سبعة ملايين", "نصف مليون"]
OTHER = ["في عام {y}", "العام {y}", "{y}م", "في {d} يناير {y}", "في {d} كانون الثاني",
         "بتاريخ {y}-01-{d:02d}", "في {d}/1/{y}", "بنسبة {p}%", "بنسبة {p} في المئة",
         "الدفعة الثانية", "المرحلة الأولى", "خلال {h} ساعة", "خلال ثلاثة أيام",
         "منذ أسبوعين", "المادة {a} من القانون", "القرار رقم 2254", "الساعة {h}",
         "بين {n} و{m} {noun}", "من {n} إلى {m} {noun}", "عشرات الآلاف من النازحين",
         "آلاف المعتقلين", "بضعة آلاف", "مئات {noun}"]


def digits(n: int, rng: random.Random) -> str:
    form = rng.randrange(6)
    if form == 0 and n >= 1000:
        return f"{n:,}"
    if form == 1:
        return str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    if form == 2:
        return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    if form == 3:
        return f"{rng.randint(2, 99)} {rng.choice(['آلاف', 'ألف', 'ألفا', 'مليون'])}"
    return str(n)


def sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(FILLER)
    if roll < 0.85:
        number = digits(rng.randint(1, 120_000), rng) if rng.random() < 0.7 \
            else rng.choice(WORD_NUMBERS)
        return (f"وقالت المصادر إن {rng.choice(HEDGES)}{number} {rng.choice(NOUNS)} "
                f"نقلوا إلى العراق.")
    n = rng.randint(2, 900)
    return "وأضاف البيان " + rng.choice(OTHER).format(
        y=rng.randint(1990, 2026), d=rng.randint(1, 28), p=rng.randint(1, 99),
        h=rng.randint(1, 72), a=rng.randint(1, 50), n=n, m=n + rng.randint(1, 500),
        noun=rng.choice(NOUNS)) + "."


def corpus(size_bytes: int, seed: int) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < size_bytes:
        s = sentence(rng)
        out.append(s)
        size += len(s.encode("utf-8")) + 1
    return "\n".join(out)


def one_run(text: str) -> float:
    """CPU seconds of this process for one find(): unlike wall time, not inflated when other
    processes take the core."""
    gc.collect()  # each run starts from the same heap (the collector stays on while timing)
    t0 = time.process_time()
    find(text)
    return time.process_time() - t0


def timings(small: str, large: str, runs: int) -> tuple[list[float], list[float]]:
    """Times of both texts, runs interleaved so that load from other processes on the
    machine affects both alike."""
    t_small, t_large = [], []
    for _ in range(runs):
        t_small.append(one_run(small))
        t_large.append(one_run(large))
    return t_small, t_large


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-kb", type=int, default=500, help="size of the 1x corpus")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    small = corpus(args.size_kb * 1000, args.seed)
    large = corpus(args.size_kb * 1000 * 10, args.seed + 1)
    find(small[:20000])  # warm the caches
    mb_small = len(small.encode("utf-8")) / 1e6
    mb_large = len(large.encode("utf-8")) / 1e6
    runs_small, runs_large = timings(small, large, args.runs)
    t_small, t_large = statistics.median(runs_small), statistics.median(runs_large)
    found = find(small)
    figures = sum(q.kind == "figure" for q in found)
    print(f"python {sys.version.split()[0]}, one core, CPU time, median of {args.runs} runs")
    print(f"1x corpus : {mb_small:6.2f} MB UTF-8, {len(found)} quantities "
          f"({figures} figures), {t_small:.3f} s, {mb_small / t_small:.2f} MB/s")
    print(f"10x corpus: {mb_large:6.2f} MB UTF-8, {t_large:.3f} s, "
          f"{mb_large / t_large:.2f} MB/s")
    print(f"time(10x)/time(1x) = {t_large / t_small:.2f} median, "
          f"{min(runs_large) / min(runs_small):.2f} best runs "
          f"(size ratio {mb_large / mb_small:.2f}; linear is about 10)")

    print("hostile inputs (time(10x)/time(1x) of the best runs, linear is about 10):")
    hostile = {"digit,digit,…": "1," * 1000, "و…": "و" * 20000, "٫…": "٫" * 20000,
               "ألف و…": "ألف و" * 1000, "أكثر من …": "أكثر من " * 2000,
               "tashkeel": "ً" * 20000, "1-1-1…": "1-" * 1000, "بين 1 و…": "بين 1 و" * 1000,
               "قد يصل عدد …": "قد يصل عدد " * 2000, "ثلاثة ثلاثة …": "ثلاثة " * 2000,
               "1 2 3 …": "1 " * 2000}
    for name, chunk in hostile.items():
        find(chunk)
        runs1, runs10 = timings(chunk, chunk * 10, args.runs)
        t1, t10 = min(runs1), min(runs10)  # millisecond timings: the least disturbed run
        mbps = len(chunk.encode("utf-8")) * 10 / 1e6 / t10
        print(f"  {name:16} {t10 / t1:6.2f}   ({mbps:.2f} MB/s)")


if __name__ == "__main__":
    main()
