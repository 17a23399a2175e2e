"""A metric's definition, read from the dbt docs of its mart column (the one BI users read)."""

import re
from pathlib import Path

import yaml

from orchestration.lib.workspace import DBT_PROJECT_DIR


def _doc_blocks(project_dir: Path) -> dict[str, str]:
    blocks = {}
    for path in (project_dir / "models").rglob("*.md"):
        for name, text in re.findall(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", path.read_text(), re.S):
            blocks[name] = " ".join(text.split())
    return blocks


def column_definition(model: str, column: str, project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The dbt description of model.column, doc blocks resolved (the documented definition of the metric)."""
    blocks = _doc_blocks(project_dir)
    for path in sorted((project_dir / "models" / "marts").rglob("*.yml")):
        for node in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            if node.get("name") != model:
                continue
            for documented in node.get("columns", []):
                if documented.get("name") == column:
                    text = documented.get("description", "")
                    text = re.sub(
                        r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}", lambda found: blocks.get(found.group(1), ""), text
                    )
                    return " ".join(text.split())
    return f"(no description of {model}.{column} in the dbt project)"
