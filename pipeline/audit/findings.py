"""What the audit reports: findings with a severity, and the relations it evaluated."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING, NOTE = "错误", "警告", "提示"
SEVERITIES = (ERROR, WARNING, NOTE)


@dataclass(frozen=True)
class Finding:
    """One problem: ``code`` (stable, for machines), ``severity``, where it is, what is wrong and
    what to do, in Chinese."""

    code: str
    severity: str
    where: str
    message: str
    advice: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        return f"［{self.severity}］{self.where}：{self.message}。处理建议：{self.advice}"


@dataclass(frozen=True)
class Relation:
    """One arithmetic relation of a table (勾稽关系) and whether it holds."""

    kind: str
    name: str  # e.g. 「（七）总计」行：总计 = 各列之和
    cells: tuple[str, ...]  # the Figure.where() of every cell it involves
    status: str  # 一致, 不一致, 未核对 (a cell is blank or could not be placed)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


HOLDS, FAILS, UNCHECKED = "一致", "不一致", "未核对"
