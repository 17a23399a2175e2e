"""One identity, one engineer: emails, GitHub logins and identities.csv aliases of the lake, checked together.

The warehouse resolves an identity (lower-cased) to an engineer only when exactly one engineer claims it,
over every roster snapshot and identities.csv; an identity claimed by two resolves to neither, and every
record keyed by it (deploys triggered, licences, usage, survey responses) silently falls out of both
engineers' metrics. This gate finds such identities before the warehouse is built, with the rows claiming them.
"""

from orchestration.lib import lake_fs
from orchestration.lib.lake_fs import LakePath

WHERE_SHOWN = 3  # file:line locations named per engineer (an engineer repeats in every roster snapshot)

# entity -> (column holding an identity, SQL naming how the row claims it)
CLAIMS = {
    "roster": [("email", "'email'"), ("github_login", "'github_login'")],
    "identities": [("identity", "'alias ' || identity_type")],
}


def _claims_sql(lake_raw: LakePath) -> tuple[str, list[list[str]]]:
    parts, parameters = [], []
    for entity, columns in CLAIMS.items():
        files = sorted(str(path) for path in (lake_raw / entity).glob("*/data.parquet"))
        if not files:
            continue
        for column, kind in columns:
            parts.append(
                f"select lower({column}) as identity, {kind} as kind, engineer_id, _source_file, _source_line "
                f"from read_parquet(?, union_by_name = true) where {column} is not null and {column} <> ''"
            )
            parameters.append(files)
    return " union all ".join(parts), parameters


def identities_claimed_twice(lake_raw: LakePath) -> list[dict]:
    """Each identity claimed by two or more engineers, with the engineers and the files and lines claiming it."""
    claims, parameters = _claims_sql(lake_raw)
    if not claims:
        return []
    with lake_fs.connect(lake_raw) as con:
        rows = con.execute(
            f"""
            with claims as ({claims}),
            conflicted as (
                select identity from claims group by identity having count(distinct engineer_id) > 1
            )
            select identity, engineer_id, min(kind) as kind,
                   list(distinct _source_file || ':' || _source_line order by _source_file || ':' || _source_line)
            from claims
            where identity in (select identity from conflicted)
            group by identity, engineer_id
            order by identity, engineer_id
            """,
            parameters,
        ).fetchall()
    found: dict[str, list[str]] = {}
    for identity, engineer_id, kind, places in rows:
        shown = ", ".join(places[:WHERE_SHOWN]) + (
            f" and {len(places) - WHERE_SHOWN} more" if len(places) > WHERE_SHOWN else ""
        )
        found.setdefault(identity, []).append(f"{engineer_id} ({kind}: {shown})")
    return [{"identity": identity, "engineers": "; ".join(engineers)} for identity, engineers in found.items()]
