"""Claims, contradictions and policy estimates, on tiny inline ledgers."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from conftest import claims_frame

import analysis
from analysis import compare as claims
from analysis import policies

COLUMNS = ("figure_id,measure,measure_kind,claimant,claimant_type,statement_id,outlet,"
           "published,as_of,period_start,period_end,hedge,value_low,value_best,value_high\n")

LEDGER = COLUMNS + """\
c1,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0213,DVIDS,2026-02-13,2026-02-12,,,at_least,5700,,
c2,transferred_to_iraq,cumulative,CENTCOM,military,centcom-0213,i24NEWS,2026-02-13,2026-02-12,,,at_least,5700,,
m1,transferred_to_iraq,cumulative,Iraqi Ministry of Justice,government,moj-0213,Kurdistan24,2026-02-13,2026-02-13,,,exact,,5064,
f1,transferred_to_iraq,cumulative,Iraqi Foreign Minister,government,fm-0213,The Star,2026-02-13,2026-02-13,,,approx,,3000,
m0,transferred_to_iraq,cumulative,Iraqi Ministry of Justice,government,moj-0211,Kurdistan24,2026-02-11,2026-02-11,,,exact,,5046,
m2,transferred_to_iraq,cumulative,Iraqi Ministry of Justice,government,moj-0214,Sada El Balad,2026-02-15,2026-02-14,,,exact,,5703,
p1,planned_transfer_total,plan,CENTCOM,military,centcom-0121,A News,2026-01-21,,,,up_to,,,7000
p2,planned_transfer_total,plan,Iraqi Ministry of Justice,government,moj-0211,Kurdistan24,2026-02-11,,,,exact,,6000,
p3,planned_transfer_total,plan,Iraqi judiciary,judiciary,sjc-0208,Kurdistan24,,,,,range,7000,,8000
e1,escaped,flow,SDF,armed_group,sdf-0119,Internazionale,2026-01-19,2026-01-19,,,approx,,1500,
e2,escaped,flow,Syrian Interior Ministry,government,moi-0120,Alsumaria,2026-01-20,2026-01-19,,,approx,,120,
e3,escaped,flow,Syrian Interior Ministry,government,moi-0120b,Alsumaria,2026-01-20,2026-01-19,,,approx,,120,
"""


def ledger(text: str = LEDGER) -> pd.DataFrame:
    return claims_frame(text)


def test_claims_newest_first_and_as_of():
    got = claims.claims("transferred_to_iraq", figures=ledger())
    assert list(got["figure_id"]) == ["m2", "f1", "m1", "c1", "c2", "m0"]
    known = claims.claims("transferred_to_iraq", as_of="2026-02-12", figures=ledger())
    assert list(known["figure_id"]) == ["m0"]


def test_contradictions_side_by_side_with_independent_claimants():
    got = claims.contradictions(figures=ledger())
    got = got[["measure", "window", "value", "independent_claimants", "statements", "copies",
               "spread_min", "spread_max"]]
    expected = pd.read_csv(io.StringIO(
        "measure,window,value,independent_claimants,statements,copies,spread_min,spread_max\n"
        "escaped,2026-01-19,about 120,1,2,2,120,1500\n"
        "escaped,2026-01-19,\"about 1,500\",1,1,1,120,1500\n"
        "planned_transfer_total,any date,\"6,000\",1,1,1,6000,8000\n"
        "planned_transfer_total,any date,\"up to 7,000\",1,1,1,6000,8000\n"
        "planned_transfer_total,any date,\"7,000–8,000\",1,1,1,6000,8000\n"
        "transferred_to_iraq,2026-02-13,\"about 3,000\",1,1,1,3000,5700\n"
        "transferred_to_iraq,2026-02-13,\"5,064\",1,1,1,3000,5700\n"
        "transferred_to_iraq,2026-02-13,\"at least 5,700\",1,1,2,3000,5700\n"),
        dtype={"spread_min": "Int64", "spread_max": "Int64"})
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_copies_of_one_statement_are_one_voice():
    """Two outlets printing CENTCOM's release agree with each other: that is no contradiction."""
    text = COLUMNS + (
        "c1,t,cumulative,CENTCOM,military,s1,DVIDS,2026-02-13,2026-02-12,,,at_least,5700,,\n"
        "c2,t,cumulative,CENTCOM,military,s1,i24NEWS,2026-02-13,2026-02-12,,,at_least,5700,,\n")
    assert claims.contradictions(figures=ledger(text)).empty
    agreed = claims.contradictions(figures=ledger(text), include_agreement=True)
    assert agreed[["independent_claimants", "statements", "copies"]].values.tolist() == \
        [[1, 1, 2]]


def test_families_never_compete_with_people():
    """4,000 families and 20,000 people answer two questions; families compete with families."""
    text = COLUMNS.replace("value_high\n", "value_high,unit\n") + (
        "a,plan_m,plan,Gov,government,s1,X,2026-01-01,,,,exact,,20000,,people\n"
        "b,plan_m,plan,Officials,anonymous_official,s2,Y,2026-01-22,,,,exact,,4000,,families\n"
        "c,plan_m,plan,Other,government,s3,Z,2026-01-23,,,,exact,,3000,,families\n"
        "d,plan_m,plan,Army,military,s4,Z,2026-01-23,,,,exact,,20000,,detainees\n")
    got = claims.contradictions(figures=ledger(text), include_agreement=True)
    got = got[["unit", "value", "claimants", "spread_min", "spread_max"]]
    expected = pd.read_csv(io.StringIO(
        "unit,value,claimants,spread_min,spread_max\n"
        "families,\"3,000 families\",Other,3000,4000\n"
        "families,\"4,000 families\",Officials,3000,4000\n"
        "people,\"20,000\",Army; Gov,20000,20000\n"),  # detainees are people
        dtype={"spread_min": "Int64", "spread_max": "Int64"})
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert claims.contradictions(figures=ledger(text))["unit"].tolist() == ["families"] * 2


COPIES = COLUMNS.replace("value_high\n", "value_high,unit\n") + (
    # one statement printed two ways on two days (2,250 and 2,225): both listed
    "a1,moved,cumulative,Cell,government,s1,TRT,2026-02-07,2026-02-07,,,exact,,2250,,detainees\n"
    "a2,moved,cumulative,Cell,government,s1,National,2026-02-08,2026-02-07,,,exact,,2225,,"
    "detainees\n"
    # copies that agree, whatever they call the people counted: not listed
    "b1,moved,cumulative,CENTCOM,military,s2,AP,2026-01-21,2026-01-21,,,exact,,150,,detainees\n"
    "b2,moved,cumulative,CENTCOM,military,s2,A News,2026-01-21,2026-01-21,,,exact,,150,,"
    "fighters\n"
    # one statement giving a number for today and one for a past peak: not copies
    "c1,camp,stock,Reuters,media,s3,Reuters,2026-01-21,2026-01-21,,,approx,,24000,,people\n"
    "c2,camp,stock,Reuters,media,s3,Reuters,2026-01-21,,,,exact,,73000,,people\n"
    # the same words for families and for people count two things: not copies
    "d1,plan_m,plan,Gov,government,s4,X,2026-01-22,,,,exact,,4000,,families\n"
    "d2,plan_m,plan,Gov,government,s4,Y,2026-01-22,,,,exact,,20000,,people\n"
    # only the hedge differs ("up to 7,000" printed "about 7,000"): both listed
    "e1,plan_t,plan,CENTCOM,military,s2,Sputnik,2026-01-21,2026-01-21,,,approx,,7000,,"
    "detainees\n"
    "e2,plan_t,plan,CENTCOM,military,s2,A News,2026-01-21,2026-01-21,,,up_to,,,7000,detainees\n"
    "f1,killed,flow,CENTCOM,military,s2,RTTNews,2026-01-22,,,,approx,,20,,members\n"
    "f2,killed,flow,CENTCOM,military,s2,AP,2026-01-21,,,,exact,,20,,members\n")


def test_copies_of_one_statement_that_differ_are_listed_side_by_side():
    got = claims.copies_that_differ(figures=ledger(COPIES))
    got = got[["figure_id", "statement_id", "measure", "outlet", "hedge", "value_best",
               "value_high"]]
    expected = pd.read_csv(io.StringIO(
        "figure_id,statement_id,measure,outlet,hedge,value_best,value_high\n"
        "a1,s1,moved,TRT,exact,2250,\n"
        "a2,s1,moved,National,exact,2225,\n"
        "f2,s2,killed,AP,exact,20,\n"
        "f1,s2,killed,RTTNews,approx,20,\n"
        "e1,s2,plan_t,Sputnik,approx,7000,\n"
        "e2,s2,plan_t,A News,up_to,,7000\n"),
        dtype={"value_best": "Int64", "value_high": "Int64"})
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_copies_that_differ_only_among_those_published_by_as_of():
    """On 2026-01-21 RTTNews' "about 20" was not out yet: AP's 20 had nothing to differ from."""
    got = claims.copies_that_differ(as_of="2026-01-21", figures=ledger(COPIES))
    assert got["figure_id"].tolist() == ["e1", "e2"]
    assert claims.copies_that_differ(figures=ledger(COPIES).iloc[:0]).empty


def test_stale_repeats_are_compared_at_their_own_date():
    """Last week's total reprinted today, or a 2019 peak, does not compete with today's count."""
    text = COLUMNS + (
        "a,t,cumulative,A,government,s1,X,2026-02-12,2026-02-12,,,exact,,4500,\n"
        "b,t,cumulative,B,government,s2,Y,2026-02-12,,2026-01-31,2026-02-08,approx,,1300,\n"
        "c,t,cumulative,C,government,s3,Z,2026-02-12,2026-02-11,,,exact,,4400,\n"
        "d,p,stock,D,media,s4,X,2026-01-21,2026-01-20,,,approx,,24000,\n"
        "e,p,stock,D,media,s5,X,2026-01-21,,2019-01-01,2019-12-31,exact,,73000,\n")
    windows = dict(zip(ledger(text)["figure_id"],
                       ledger(text).apply(claims.window, axis=1), strict=True))
    assert windows == {"a": "2026-02-12", "b": "2026-01-31 – 2026-02-08", "c": "2026-02-12",
                       "d": "week 2026-W04", "e": "2019-01-01 – 2019-12-31"}


@pytest.mark.parametrize(("policy", "value", "explained"), [
    ("conservative", 3000.0, "conservative: the lowest of 3 independent statements (compared "
                             "within 2026-02-13, Iraqi Foreign Minister)"),
    ("best", 5064.0, "best: the median of 3 independent statements (compared within "
                     "2026-02-13)"),
    ("upper", 5700.0, "upper: the highest of 3 independent statements (compared within "
                      "2026-02-13, CENTCOM)"),
])
def test_estimate_differs_across_policies(policy, value, explained):
    e = policies.estimate("transferred_to_iraq", "2026-02-14", policy, figures=ledger())
    assert (e.value, e.low, e.high, e.window, e.statements) == \
        (value, 3000.0, 5700.0, "2026-02-13", 3)
    assert e.explanation == explained
    assert e.figure_ids == ("c1", "c2", "f1", "m1")


@pytest.mark.parametrize(("policy", "explained"), [
    ("conservative", "المتحفّظة: أدنى ما ذكرته التصريحات المستقلة (عددها 3؛ نطاق المقارنة: "
                     "2026-02-13؛ الجهة المصرِّحة: Iraqi Foreign Minister)"),  # no Arabic name
    ("best", "الأرجح: وسيط ما ذكرته التصريحات المستقلة (عددها 3؛ نطاق المقارنة: 2026-02-13)"),
    ("upper", "القصوى: أعلى ما ذكرته التصريحات المستقلة (عددها 3؛ نطاق المقارنة: 2026-02-13؛ "
              "الجهة المصرِّحة: سنتكوم)"),
])
def test_estimate_explained_in_arabic(policy, explained):
    """Same numbers in every language; the explanation names the policy and the claimant in
    Arabic (the claimant's id when it has no Arabic name)."""
    e = policies.estimate("transferred_to_iraq", "2026-02-14", policy, figures=ledger(),
                          lang="ar", names={"CENTCOM": "سنتكوم"})
    english = policies.estimate("transferred_to_iraq", "2026-02-14", policy, figures=ledger())
    assert e.explanation == explained
    assert (e.value, e.low, e.high, e.window) == \
        (english.value, english.low, english.high, english.window)


def test_window_labels_in_arabic():
    labels = {w: claims.window_label(w, "ar") for w in
              ("any date", "undated", "week 2026-W04", "2026-02-13", "2026-01-31 – 2026-02-08")}
    assert labels == {"any date": "أي تاريخ", "undated": "غير مؤرّخ",
                      "week 2026-W04": "الأسبوع 2026-W04", "2026-02-13": "2026-02-13",
                      "2026-01-31 – 2026-02-08": "2026-01-31 – 2026-02-08"}
    assert claims.window_label("week 2026-W04") == "week 2026-W04"
    table = policies.sensitivity("planned_transfer_total", figures=ledger(), lang="ar")
    assert table["explanation"].str.contains("نطاق المقارنة: أي تاريخ").all()


def test_estimate_later_date_uses_the_latest_window():
    e = policies.estimate("transferred_to_iraq", "2026-02-15", "best", figures=ledger())
    assert (e.value, e.window) == (5703.0, "2026-02-15")


def test_estimate_never_mixes_families_with_people():
    """20,000 people and 4,000 families have no median: the estimate counts people; a measure
    only counted in families is estimated in families, and says so."""
    text = COLUMNS.replace("value_high\n", "value_high,unit\n") + (
        "a,ret,plan,Gov,government,s1,X,2026-01-01,,,,exact,,20000,,people\n"
        "b,ret,plan,Officials,anonymous_official,s2,Y,2026-01-22,,,,exact,,4000,,families\n"
        "c,fam,plan,Officials,anonymous_official,s2,Y,2026-01-22,,,,exact,,4000,,families\n"
        "d,fam,plan,Other,government,s3,Z,2026-01-23,,,,approx,,3000,,families\n")
    people = policies.estimate("ret", figures=ledger(text))
    assert (people.value, people.low, people.high, people.figure_ids, people.unit) == \
        (20000, 20000, 20000, ("a",), "people")
    families = policies.estimate("fam", figures=ledger(text))
    assert (families.value, families.low, families.high, families.unit) == \
        (3500, 3000, 4000, "families")
    assert policies.estimate("t", figures=ledger()).unit == "people"  # no unit column: people


def test_estimate_plan_takes_every_plan():
    table = policies.sensitivity("planned_transfer_total", figures=ledger())
    assert table[["policy", "value", "low", "high"]].values.tolist() == [
        ["conservative", 6000.0, 6000.0, 8000.0],
        ["best", 7000.0, 6000.0, 8000.0],
        ["upper", 8000.0, 6000.0, 8000.0],
    ]


def test_estimate_without_claims():
    e = policies.estimate("transferred_to_iraq", "2026-01-01", "best", figures=ledger())
    assert e.value is None and e.statements == 0


def test_unknown_policy_is_an_error():
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="unknown policy 'middle'"):
        policies.estimate("transferred_to_iraq", None, "middle", figures=ledger())


@pytest.mark.parametrize("call, message", [
    (lambda: analysis.load_figures(as_of=2026), r"as_of = 2026: not a date as YYYY-MM-DD"),
    (lambda: analysis.load_figures(as_of="2026-02-30"),
     r"as_of = '2026-02-30': not a date \(day is out of range for month\)"),
    (lambda: analysis.contradictions(as_of="Feb 14"), r"as_of = 'Feb 14': not a date"),
    (lambda: claims.claims("t", as_of=20260214, figures=ledger()), r"as_of = 20260214"),
    (lambda: analysis.claims("transfered_to_iraq"),
     r"unknown measure 'transfered_to_iraq'; the measures are: .*transferred_to_iraq"),
    (lambda: analysis.estimate("typo"), r"unknown measure 'typo'"),
    (lambda: analysis.claims(["transferred_to_iraq"]),
     r"unknown measure \['transferred_to_iraq'\]"),  # was: unhashable type: 'list'
    (lambda: analysis.sensitivity("transferred_to_iraq", as_of=2026.0), r"as_of = 2026.0"),
])
def test_library_arguments_are_checked(call, message):
    """An analyst's typo is an error that says what is allowed, not an empty answer."""
    with pytest.raises(analysis.AnalysisError, match=message):
        call()


def test_a_frame_of_ones_own_may_lack_the_measure():
    """A ledger cut at a date before any claim of a measure: no claims, no error."""
    assert claims.claims("held_by_sdf", figures=ledger()).empty
    assert policies.estimate("held_by_sdf", "2026-01-01", figures=ledger()).value is None


def test_claim_known_only_by_its_print_date_does_not_override_dated_totals():
    text = COLUMNS + (
        "a,t,cumulative,SJC,judiciary,s1,K24,2026-02-16,2026-02-16,,,exact,,5704,\n"
        "b,t,cumulative,Shafaq,media,s2,Shafaq,2026-02-23,,,,range,5000,,7000\n")
    e = policies.estimate("t", "2026-02-28", "best", figures=ledger(text))
    assert (e.value, e.window, e.figure_ids) == (5704.0, "2026-02-16", ("a",))
    only = policies.estimate("t", "2026-02-28", "best", figures=ledger(text).iloc[[1]])
    assert (only.value, only.low, only.high) == (6000.0, 5000.0, 7000.0)


def test_a_claimants_older_word_is_set_aside_in_its_window():
    """The Ministry's 5,046 of 2026-02-11, reprinted on 2026-02-13 (the day it said 5,064),
    was a fourth voice in that day's median; an undated statement of the same claimant stays
    (nothing says it is older)."""
    reprint = LEDGER + (
        "m3,transferred_to_iraq,cumulative,Iraqi Ministry of Justice,government,moj-0211,"
        "Alsumaria,2026-02-13,2026-02-11,,,exact,,5046,\n")
    got = policies.estimate("transferred_to_iraq", "2026-02-14", "best", ledger(reprint))
    assert (got.value, got.statements, got.figure_ids) == (5064.0, 3, ("c1", "c2", "f1", "m1"))
    assert got.explanation.endswith("; older statement set aside: Iraqi Ministry of Justice)")
    undated = reprint.replace("Alsumaria,2026-02-13,2026-02-11,", "Alsumaria,2026-02-13,,")
    kept = policies.estimate("transferred_to_iraq", "2026-02-14", "best", ledger(undated))
    assert (kept.value, kept.statements) == (5064.0, 3)  # m3 undated: m1 beats it anyway
    assert "set aside" not in kept.explanation
