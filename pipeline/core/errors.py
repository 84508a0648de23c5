"""Errors that reach users.

Officers read these in the batch summary and in the portal, so the message is Chinese, names
the file, says what is wrong and what to do. Code never shows a bare traceback to a user.
"""

from __future__ import annotations

from pathlib import Path


class DocumentError(Exception):
    """One document cannot be converted; the batch goes on without it.

    ``code`` is a stable, machine-readable kind (``binary``, ``encoding``, ``too-large`` …) for
    summaries, the portal and tests; ``message`` is what a person reads.
    """

    def __init__(self, path: Path | str, problem: str, advice: str, code: str = "invalid") -> None:
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.path}：{self.problem}。处理建议：{self.advice}。"


class PreservationError(DocumentError):
    """A stage lost text it had no right to drop: a bug in the pipeline, never the user's fault."""

    def __init__(self, path: Path | str, stage: str, lost: str) -> None:
        super().__init__(
            path,
            f"“{stage}”步骤丢失了原文字符（{lost[:40]}）",
            "这是本工具的缺陷，请保留原文件并报告给维护人员，未生成任何输出",
            code="internal",
        )
