"""The world every writer reads: the organisation, its adoption and the planted cases, built once."""

from dataclasses import dataclass

from orchestration.tools.demo.adoption import Adoption, Contractors, Identities
from orchestration.tools.demo.cases import Plan
from orchestration.tools.demo.organisation import People, Services, Teams
from orchestration.tools.demo.reference import Calendar, Reference
from orchestration.tools.demo.spec import DemoSpec


@dataclass(frozen=True)
class World:
    spec: DemoSpec
    ref: Reference
    cal: Calendar
    teams: Teams
    people: People
    services: Services
    plan: Plan | None
    adoption: Adoption
    contractors: Contractors
    identities: Identities
