"""Survey waves: NPS responses per tool, one CSV per wave."""

from dataclasses import dataclass

import numpy as np

from orchestration.tools.demo.spec import DAY_SECONDS, NPS_MEAN
from orchestration.tools.demo.world import World


@dataclass(frozen=True)
class _Survey:
    survey_id: str
    day: int
    rows: list[tuple[str, str, str, str, int, str]]


def build_surveys(world: World, rng: np.random.Generator) -> tuple[list[_Survey], dict | None]:
    cal, ref, people, adoption, plan = world.cal, world.ref, world.people, world.adoption, world.plan
    wave_days = list(range(min(9, cal.days // 2), cal.days, 28))
    stuffing_wave = len(wave_days) // 2
    surveys, stuffing, used = [], None, set()
    means = np.array([NPS_MEAN.get(tool, 7.0) for tool in ref.tools])
    fallback = ref.tools.index("internal_chat") if "internal_chat" in ref.tools else 0
    for wave, day in enumerate(wave_days):
        survey_id = f"nps-{cal.date(day):%Y-%m}"
        survey_id = survey_id if survey_id not in used else f"{survey_id}-{wave + 1}"
        used.add(survey_id)
        present = np.flatnonzero(people.team_at[:, int(cal.snapshot_of(day))] >= 0)
        respondents = present[rng.random(len(present)) < 0.35]
        if plan is not None and wave == stuffing_wave:
            respondents = respondents[respondents != plan.stuffer]
        adopted = adoption.adopt_day[respondents] <= day
        primary = adoption.primary[respondents]
        uses_primary = (primary >= 0) & adopted[np.arange(len(respondents)), np.maximum(primary, 0)]
        any_tool = np.argmax(adopted, axis=1)
        tool = np.where(uses_primary, primary, np.where(adopted.any(axis=1), any_tool, fallback))
        score = np.clip(np.round(rng.normal(means[tool], 1.8)), 0, 10).astype(int)
        anonymous = rng.random(len(respondents)) < 0.15
        anonymous[: int(len(respondents) > 1 and not anonymous.any())] = True  # always some anonymous
        window = min(5, cal.days - day)
        submitted = day * DAY_SECONDS + rng.integers(0, window * DAY_SECONDS, len(respondents))
        entries = [
            ("" if anonymous[i] else people.email[p], ref.tools[tool[i]], int(score[i]), int(submitted[i]))
            for i, p in enumerate(respondents.tolist())
        ]
        if plan is not None and wave == stuffing_wave:
            stuffed_tool = ref.tools[int(adoption.primary[plan.stuffer])]
            entries += [
                (people.email[plan.stuffer], stuffed_tool, 10, day * DAY_SECONDS + (9 + 2 * k) * 3600 + 17)
                for k in range(4)
            ]
        entries.sort(key=lambda entry: (entry[3], entry[0]))
        stamps = cal.timestamps(np.array([entry[3] for entry in entries], dtype=np.int64))
        rows = [
            (f"{survey_id}-r{i + 1:05d}", survey_id, respondent, tool_name, score_value, str(stamps[i]))
            for i, (respondent, tool_name, score_value, _) in enumerate(entries)
        ]
        surveys.append(_Survey(survey_id, day, rows))
        if plan is not None and wave == stuffing_wave:
            mine = [row[0] for row in rows if row[2] == people.email[plan.stuffer]]
            stuffing = {
                "respondent": people.email[plan.stuffer].lower(),
                "survey_id": survey_id,
                "first_day": cal.iso(day),
                "response_ids_superseded": mine[:-1],
                "response_id_kept": mine[-1],
            }
    return surveys, stuffing
