"""Spelling tolerance, and the near misses that must NOT match (both directions)."""

from __future__ import annotations

import pytest

from lowdose.safety import catalogue, find_drugs, screen
from lowdose.safety.matching import normalise, phonetic


@pytest.mark.parametrize(
    ("typed", "ingredient"),
    [
        ("morfine", "morphine"),
        ("morphin", "morphine"),
        ("Morphène", "morphine"),
        ("oxycodon", "oxycodone"),
        ("oxicodone", "oxycodone"),
        ("Percoset", "oxycodone"),
        ("oxy contin", "oxycodone"),
        ("suboxon", "buprenorphine"),
        ("buprenorfine", "buprenorphine"),
        ("metadone", "methadone"),
        ("methadon", "methadone"),
        ("tramadoll", "tramadol"),
        ("trammadol", "tramadol"),
        ("codiene", "codeine"),
        ("Kodein", "codeine"),
        ("hydrocodon", "hydrocodone"),
        ("fentanil", "fentanyl"),
        ("tapendadol", "tapentadol"),
        ("heroine", "heroin (diamorphine)"),
        ("cocodamol", "codeine"),
        ("CO CODAMOL", "codeine"),
    ],
)
def test_spelling_variants_match(typed: str, ingredient: str) -> None:
    res = screen([typed])
    assert [f.ingredient for f in res.findings] == [ingredient]
    assert typed in res.findings[0].matched  # says what it matched, from what was typed


# (non-opioid, the opioid it resembles): neither may be mistaken for the other.
NEAR_MISSES = [
    ("metformin", "morphine"),
    ("trazodone", "tramadol"),
    ("bupropion", "buprenorphine"),
    ("oxybutynin", "oxycodone"),
    ("hydroxyzine", "hydrocodone"),
    ("hydrocortisone", "hydrocodone"),
    ("cocaine", "codeine"),
    ("methotrexate", "methadone"),
    ("methocarbamol", "methadone"),
    ("fenofibrate", "fentanyl"),
    ("loratadine", "loperamide"),
    ("naloxone", "nalbuphine"),
    ("naltrexone", "nalbuphine"),
    ("tizanidine", "tapentadol"),
    ("butalbital", "butorphanol"),
    ("lorazepam", "loperamide"),
]


@pytest.mark.parametrize(("safe", "opioid"), NEAR_MISSES)
def test_near_miss_does_not_match(safe: str, opioid: str) -> None:
    res = screen([safe])
    assert res.status == "ok"
    assert [f.code for f in res.findings] == ["medication-not-recognised"]


@pytest.mark.parametrize(("safe", "opioid"), NEAR_MISSES)
def test_opioid_side_of_near_miss_matches_itself(safe: str, opioid: str) -> None:
    (m,) = find_drugs(opioid)
    assert m.kind == "exact"
    assert safe not in m.describe()


@pytest.mark.parametrize(
    "med",
    [
        "pregabalin",
        "Lyrica",
        "gabapentin",
        "duloxetine",
        "Cymbalta",
        "amitriptyline",
        "paracetamol",
        "ibuprofen",
        "vitamin D 1000 IU",
        "levothyroxine",
        "sertraline",
        "milnacipran",
    ],
)
def test_common_fibromyalgia_medicines_are_ok(med: str) -> None:
    assert screen([med]).status == "ok"


_LONG_NAMES = sorted(
    {n for e in catalogue().drugs for n in e.names if n.isalpha() and len(phonetic(n)) >= 9}
)


def test_every_single_typo_in_a_long_name_still_matches() -> None:
    """Exhaustive: each deletion and adjacent transposition after the first letter, every name."""
    misses = []
    for name in _LONG_NAMES:
        ingredient = next(e.ingredient for e in catalogue().drugs if name in e.names)
        for i in range(1, len(name) - 1):
            for typed in (
                name[:i] + name[i + 1 :],
                name[:i] + name[i + 1] + name[i] + name[i + 2 :],
            ):
                if ingredient not in [m.entry.ingredient for m in find_drugs(typed.upper())]:
                    misses.append((name, typed))
    assert misses == []
    assert len(_LONG_NAMES) > 30


def test_normalise_and_phonetic() -> None:
    assert normalise("Co-Codamol 30/500") == "co codamol 30 500"
    assert normalise("Tylenol #3") == "tylenol 3"
    assert phonetic("morphine") == phonetic("morfine") == "morfine"
    assert phonetic("tramadoll") == "tramadol"


def test_codeine_free_variant_of_a_codeine_brand_is_not_flagged() -> None:
    # Solpadeine Headache is paracetamol + caffeine; only the Plus/Max variants contain codeine.
    assert screen(["Solpadeine Headache"]).status == "ok"
    assert screen(["Solpadeine Max"]).status == "contraindicated"


def test_short_names_need_an_exact_match() -> None:
    assert find_drugs("Norco")
    assert not find_drugs("Narco")
    assert not find_drugs("Actos")  # not Actiq


# ~190 commonly prescribed non-opioid medicines (ingredient names): none may raise a finding.
NON_OPIOIDS = [
    "acetaminophen",
    "paracetamol",
    "ibuprofen",
    "naproxen",
    "diclofenac",
    "celecoxib",
    "meloxicam",
    "aspirin",
    "pregabalin",
    "gabapentin",
    "duloxetine",
    "milnacipran",
    "amitriptyline",
    "nortriptyline",
    "cyclobenzaprine",
    "tizanidine",
    "baclofen",
    "methocarbamol",
    "carisoprodol",
    "metaxalone",
    "orphenadrine",
    "sertraline",
    "fluoxetine",
    "paroxetine",
    "citalopram",
    "escitalopram",
    "venlafaxine",
    "desvenlafaxine",
    "bupropion",
    "mirtazapine",
    "trazodone",
    "vortioxetine",
    "quetiapine",
    "olanzapine",
    "aripiprazole",
    "risperidone",
    "haloperidol",
    "lithium",
    "lamotrigine",
    "topiramate",
    "valproate",
    "carbamazepine",
    "oxcarbazepine",
    "levetiracetam",
    "zolpidem",
    "zopiclone",
    "eszopiclone",
    "melatonin",
    "diazepam",
    "lorazepam",
    "alprazolam",
    "clonazepam",
    "temazepam",
    "hydroxyzine",
    "promethazine",
    "diphenhydramine",
    "cetirizine",
    "loratadine",
    "fexofenadine",
    "montelukast",
    "salbutamol",
    "albuterol",
    "fluticasone",
    "budesonide",
    "prednisone",
    "prednisolone",
    "methylprednisolone",
    "hydrocortisone",
    "dexamethasone",
    "metformin",
    "gliclazide",
    "glipizide",
    "sitagliptin",
    "empagliflozin",
    "dapagliflozin",
    "insulin",
    "semaglutide",
    "liraglutide",
    "atorvastatin",
    "simvastatin",
    "rosuvastatin",
    "pravastatin",
    "ezetimibe",
    "fenofibrate",
    "lisinopril",
    "ramipril",
    "enalapril",
    "perindopril",
    "losartan",
    "valsartan",
    "candesartan",
    "irbesartan",
    "amlodipine",
    "nifedipine",
    "diltiazem",
    "verapamil",
    "metoprolol",
    "bisoprolol",
    "atenolol",
    "propranolol",
    "carvedilol",
    "nebivolol",
    "hydrochlorothiazide",
    "chlorthalidone",
    "indapamide",
    "furosemide",
    "spironolactone",
    "warfarin",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "clopidogrel",
    "ticagrelor",
    "levothyroxine",
    "liothyronine",
    "methimazole",
    "carbimazole",
    "propylthiouracil",
    "omeprazole",
    "esomeprazole",
    "pantoprazole",
    "lansoprazole",
    "ranitidine",
    "famotidine",
    "ondansetron",
    "metoclopramide",
    "domperidone",
    "sumatriptan",
    "rizatriptan",
    "zolmitriptan",
    "erenumab",
    "fremanezumab",
    "methotrexate",
    "hydroxychloroquine",
    "sulfasalazine",
    "leflunomide",
    "adalimumab",
    "etanercept",
    "tofacitinib",
    "tacrolimus",
    "cyclosporine",
    "mycophenolate",
    "azathioprine",
    "sirolimus",
    "naltrexone",
    "naloxone",
    "nalmefene",
    "acamprosate",
    "modafinil",
    "armodafinil",
    "methylphenidate",
    "amphetamine",
    "lisdexamfetamine",
    "atomoxetine",
    "oxybutynin",
    "tolterodine",
    "solifenacin",
    "mirabegron",
    "tamsulosin",
    "finasteride",
    "sildenafil",
    "tadalafil",
    "estradiol",
    "progesterone",
    "norethisterone",
    "levonorgestrel",
    "medroxyprogesterone",
    "ketamine",
    "lidocaine",
    "capsaicin",
    "cannabidiol",
    "dronabinol",
    "nabilone",
    "memantine",
    "donepezil",
    "rivastigmine",
    "galantamine",
    "ciprofloxacin",
    "amoxicillin",
    "doxycycline",
    "azithromycin",
    "clarithromycin",
    "cephalexin",
    "nitrofurantoin",
    "trimethoprim",
    "metronidazole",
    "fluconazole",
    "acyclovir",
    "valacyclovir",
    "allopurinol",
    "colchicine",
    "febuxostat",
    "guaifenesin",
    "pseudoephedrine",
    "phenylephrine",
    "bismuth",
    "mesalazine",
]


def test_common_non_opioids_raise_nothing() -> None:
    hits = {name: find_drugs(name) for name in NON_OPIOIDS}
    assert {k: [m.describe() for m in v] for k, v in hits.items() if v} == {}
    assert len(NON_OPIOIDS) > 180
