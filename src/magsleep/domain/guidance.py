"""What the seed's guidance rests on, with sources: forms, timing and cautions. Facts only:
magsleep never recommends a form or a dose.

Sources: NIH Office of Dietary Supplements, magnesium fact sheet for health
professionals ("NIH ODS"); a UK product label (emc 12118) where it adds detail; Hausenblas et al.
2024, Sleep Medicine X (threonate); Mah & Pitre 2021, PMC8053283 (trials and their evidence);
PMC7397051, Table 3 (elemental percentages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from magsleep.domain.magnesium import ALIASES, FORMS, Form

NIH = "NIH ODS magnesium fact sheet for health professionals"
PCT = "PMC7397051, Table 3 (elemental % by weight)"
HAUSENBLAS = "Hausenblas et al. 2024, Sleep Medicine X"

BETTER_ABSORBED = "Absorbed better than oxide and sulfate (NIH ODS)."
LESS_ABSORBED = "Absorbed less well than aspartate, citrate, lactate and chloride (NIH ODS)."
DIARRHOEA = "Among the forms that most often cause diarrhoea (NIH ODS)."

FORM_NOTES: dict[str, tuple[str, ...]] = {
    "glycinate": ("Little direct data on absorption or sleep.",),
    "citrate": (BETTER_ABSORBED,),
    "citrate-nonahydrate": (BETTER_ABSORBED, "The hydrated salt: less magnesium per gram."),
    "oxide": (LESS_ABSORBED, DIARRHOEA, "Used in a sleep trial: 500 mg elemental a day for 8 weeks "
                                        "(Abbasi 2012)."),
    "malate": (),
    "threonate": ("Studied at about 1 g a day (of the compound) for 21 days (Hausenblas 2024).",),
    "chloride": (BETTER_ABSORBED, DIARRHOEA),
    "chloride-hexahydrate": (BETTER_ABSORBED, DIARRHOEA, "The hydrated salt: less magnesium per gram."),
    "lactate": (BETTER_ABSORBED,),
    "taurate": (),
    "sulfate": (LESS_ABSORBED,),
    "sulfate-heptahydrate": (LESS_ABSORBED, "Epsom salt: mostly used in baths."),
    "aspartate": (BETTER_ABSORBED,),
    "orotate": (),
    "other": ("Give the % magnesium from the label.",),
}


@dataclass(frozen=True)
class FormFacts:
    form: Form
    aliases: tuple[str, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def elemental_pct(self) -> float | None:
        return None if self.form.fraction is None else round(self.form.fraction * 100, 1)

    @property
    def compound_for_100mg(self) -> float | None:
        """How much of the compound holds 100 mg of elemental magnesium."""
        return None if self.form.fraction is None else round(100 / self.form.fraction)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.form.key, "label": self.form.name, "aliases": list(self.aliases),
                "elemental_pct": self.elemental_pct, "compound_mg_per_100mg_elemental": self.compound_for_100mg,
                "notes": list(self.notes), "sources": list(self.sources)}


def forms() -> list[FormFacts]:
    """Every form magsleep knows, with its elemental % and the facts above (no ranking)."""
    out = []
    for form in FORMS:
        notes = FORM_NOTES.get(form.key, ())
        sources = [PCT] if form.fraction is not None else []
        if any("NIH ODS" in n for n in notes):
            sources.append(NIH)
        if form.key == "threonate":
            sources.append(HAUSENBLAS)
        if form.key == "oxide":
            sources.append("Abbasi et al. 2012, J Res Med Sci (via Mah & Pitre 2021)")
        out.append(FormFacts(form, tuple(a for a, key in ALIASES.items() if key == form.key), notes, tuple(sources)))
    return out


CAUTIONS: tuple[tuple[str, str], ...] = (
    ("The 350 mg a day upper limit (adults and children 9+) is for magnesium from supplements and "
     "medicines, not food.", NIH),
    ("Impaired kidney function raises the risk of magnesium toxicity.", NIH),
    ("Tetracycline and quinolone antibiotics: take them at least 2 hours before or 4-6 hours after "
     "magnesium.", NIH),
    ("Bisphosphonates (for bone density): take them at least 2 hours apart from magnesium (a UK product "
     "label says 3-4 hours for bisphosphonates, iron and nitrofurantoin).", f"{NIH}; emc 12118"),
    ("Loop and thiazide diuretics deplete magnesium; potassium-sparing diuretics retain it.", NIH),
    ("Proton-pump inhibitors taken for more than a year can lower magnesium levels.", NIH),
    ("Diarrhoea, nausea and cramping are the common side effects.", NIH),
)
TIMING: tuple[tuple[str, str], ...] = (
    ("Sleep guidance often says to take magnesium 30 minutes to an hour before bed; the trials mostly do "
     "not report timing, so magsleep measures yours (dose to 'tried to sleep').",
     "Mah & Pitre 2021, PMC8053283"),
    ("Trials used 320-729 mg a day in 2-3 doses; the evidence for sleep is of low quality.",
     "Mah & Pitre 2021, PMC8053283"),
    ("In older adults, sleep onset was about 17 minutes faster than placebo (95% CI 7 to 27), with no "
     "clear change in total sleep.", "Mah & Pitre 2021, PMC8053283"),
)
ASK = "Please check with a healthcare professional before starting, and if anything here applies to you."


def guide_text() -> str:
    """`magsleep guide`: the cautions and the timing facts with their sources, one screen."""
    lines = ["Cautions", ""]
    lines += [f"- {text} ({source})" for text, source in CAUTIONS]
    lines += ["", "Timing and the evidence", ""]
    lines += [f"- {text} ({source})" for text, source in TIMING]
    lines += ["", ASK, "magsleep is a tracker: it never suggests a dose or a form."]
    return "\n".join(lines)


# Medicine names (and the endings their families share) for the spacing reminders; a reminder
# only quotes the NIH ODS caution that applies, it never says what to do about a dose.
_MEDICINE_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tetracycline", "doxycycline", "minocycline", "cycline", "quinolone", "floxacin"), CAUTIONS[2][0]),
    (("bisphosphonate", "alendron", "risedron", "ibandron", "zoledron", "dronate"), CAUTIONS[3][0]),
    (("diuretic", "furosemide", "bumetanide", "torasemide", "thiazide", "chlortalidone", "chlorthalidone",
      "indapamide", "spironolactone", "amiloride", "eplerenone"), CAUTIONS[4][0]),
    (("prazole", "proton pump", "proton-pump", "ppi"), CAUTIONS[5][0]),
)
MAX_MEDICINES = 200


def spacing_reminders(medicines: str) -> list[str]:
    """The cautions that apply to the medicines a person listed (free text, any case)."""
    text = medicines.lower()
    return [caution for words, caution in _MEDICINE_GROUPS if any(word in text for word in words)]
