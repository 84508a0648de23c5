"""Archival settings that are an archivist's decision, not the pipeline's.

密级, 保管期限, 全宗号 and the like come from the unit's code tables. They are read from
``archive.toml`` (in the working folder, or the file named by PIPELINE_ARCHIVE_SETTINGS) and
written into every record; the defaults suit documents published under the disclosure rules.

    [archive]
    "保管期限" = "定期30年"     # or: retention_period = "定期30年"
    fonds_number = "J001"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from pipeline.core.errors import DocumentError

SECURITY_CLASSES = ("公开", "内部", "秘密", "机密", "绝密")
# TOML bare keys are ASCII: these names may be used instead of the quoted DA/T 46 names.
ALIASES = {
    "security_class": "密级",
    "retention_period": "保管期限",
    "fonds_number": "全宗号",
    "fonds_name": "全宗名称",
    "organization_or_subject": "机构或问题",
    "access": "控制标识",
    "version": "稿本",
}
RETENTION_PERIODS = ("永久", "定期30年", "定期10年")


@dataclass(frozen=True)
class ArchiveSettings:
    密级: str = "公开"
    保管期限: str = "永久"
    全宗号: str = ""
    全宗名称: str = ""
    机构或问题: str = ""
    控制标识: str = "开放"
    稿本: str = "正本"


def load_settings(path: Path | None = None) -> ArchiveSettings:
    path = path or Path(os.environ.get("PIPELINE_ARCHIVE_SETTINGS", "archive.toml"))
    if not path.is_file():
        return ArchiveSettings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")).get("archive", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(path, f"归档设置文件格式错误（{exc}）", "请按 README 中的示例修改 archive.toml") from None
    data = {ALIASES.get(k, k): v for k, v in raw.items()}
    known = {f.name for f in fields(ArchiveSettings)}
    unknown = set(data) - known
    if unknown:
        raise DocumentError(
            path, f"归档设置中有未知项：{'、'.join(sorted(unknown))}", f"可用的项：{'、'.join(sorted(known))}"
        )
    settings = ArchiveSettings(**{k: str(v) for k, v in data.items()})
    if settings.密级 not in SECURITY_CLASSES:
        raise DocumentError(path, f"密级“{settings.密级}”不在代码表中", f"请使用：{'、'.join(SECURITY_CLASSES)}")
    if settings.保管期限 not in RETENTION_PERIODS:
        raise DocumentError(
            path, f"保管期限“{settings.保管期限}”不在代码表中", f"请使用：{'、'.join(RETENTION_PERIODS)}"
        )
    return settings
