"""The gaming cases planted for the guards to catch (deploy spam, bot bursts, padded grants, ...): who and when."""

from dataclasses import dataclass

import numpy as np

from orchestration.tools.demo.organisation import People, Services
from orchestration.tools.demo.reference import Calendar, Reference
from orchestration.tools.demo.spec import NEVER, PADDING_GRANTS, PRIMARY_SHARE


@dataclass(frozen=True)
class Plan:
    bot_person: int
    bot_tool: int
    bot_event_type: int
    bot_days: tuple[int, ...]
    padding_tool: int
    padding_day: int
    padding_people: np.ndarray
    stuffer: int
    spam_service: int
    spam_day: int
    zero_service: int
    zero_day: int
    redeploy_service: int
    redeploy_days: tuple[int, ...]

    @property
    def services(self) -> tuple[int, int, int]:
        return (self.spam_service, self.zero_service, self.redeploy_service)

    def blocked_service_days(self) -> list[tuple[int, int]]:
        """Service-days that carry only planted deploys."""
        return [(self.spam_day, self.spam_service), (self.zero_day, self.zero_service)] + [
            (day, self.redeploy_service) for day in self.redeploy_days
        ]


def plan_cases(ref: Reference, cal: Calendar, people: People, services: Services, rng: np.random.Generator) -> Plan:
    stable = np.flatnonzero(people.is_engineer & (people.join_day < 0) & (people.leave_day >= NEVER))
    if len(stable) < 12:
        raise ValueError(
            "plant_cases needs at least 12 engineers on every roster snapshot, "
            f"the spec gives {len(stable)}: raise teams or engineers_per_team, or set plant_cases=False"
        )
    stable = rng.permutation(stable)
    value_types = [
        (tool, kind)
        for tool in range(len(ref.tools))
        for kind in range(len(ref.activity_types))
        if ref.allowed[tool, kind] and ref.is_value[kind]
    ]
    if not value_types:
        raise ValueError("plant_cases needs a value-deriving activity type in activity_types.csv")
    preferred = [pair for pair in value_types if ref.tools[pair[0]] == "claude_code"]
    bot_tool, bot_kind = (preferred or value_types)[0]
    licensed = [tool for tool in range(len(ref.tools)) if ref.requires_licence[tool] and tool != bot_tool] or [
        tool for tool in range(len(ref.tools)) if ref.requires_licence[tool]
    ]
    if not licensed:
        raise ValueError("plant_cases needs a tool with requires_licence = true in tools.csv")
    padding_tool = min(licensed, key=lambda tool: PRIMARY_SHARE.get(ref.tools[tool], 0.05))

    candidates = np.flatnonzero(services.transfer_day >= NEVER)
    if len(candidates) < 3:
        raise ValueError("plant_cases needs at least 3 services that never change owner: raise teams")
    first_of_team = candidates[np.r_[True, services.team0[candidates][1:] != services.team0[candidates][:-1]]]
    pool = first_of_team if len(first_of_team) >= 3 else candidates
    chosen = pool[[0, len(pool) // 3, 2 * len(pool) // 3]]
    if len(set(chosen.tolist())) < 3:
        chosen = pool[:3]

    padding_day = cal.weekday_near(0.45)
    if cal.weekday(padding_day) == 0 and padding_day + 1 < cal.days:
        padding_day += 1  # mid-week, away from the Monday snapshots
    return Plan(
        bot_person=int(stable[0]),
        bot_tool=bot_tool,
        bot_event_type=bot_kind,
        bot_days=tuple(sorted({cal.weekday_near(f) for f in (0.3, 0.6, 0.85)})),
        padding_tool=padding_tool,
        padding_day=padding_day,
        padding_people=np.sort(stable[2 : 2 + min(PADDING_GRANTS, len(stable) - 2)]),
        stuffer=int(stable[1]),
        spam_service=int(chosen[0]),
        spam_day=cal.weekday_near(0.35),
        zero_service=int(chosen[1]),
        zero_day=cal.weekday_near(0.65),
        redeploy_service=int(chosen[2]),
        redeploy_days=tuple(sorted({cal.weekday_near(f) for f in (0.2, 0.5, 0.8)})),
    )
