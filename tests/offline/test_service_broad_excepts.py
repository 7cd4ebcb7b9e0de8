"""BKD312 in a FastAPI service, not a route: ``bulk_upload`` raises its own 400s inside
``try: ... except Exception: raise HTTPException(500)``, so every bad upload is a 500."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .trees import write_tree

SERVICE = (
    "from fastapi import HTTPException, UploadFile\n\n\n"
    "class SkillService:\n"
    "    async def bulk_upload(self, file: UploadFile):\n"
    "        try:\n"
    '            if not file.filename.endswith(".csv"):\n'
    '                raise HTTPException(status_code=400, detail="CSV only")\n'
    "            return await file.read()\n"
    "        except Exception as e:\n"
    "            raise HTTPException(status_code=500, detail=str(e))\n"
)


def _titles(root: Path) -> list[str]:
    return [s.title for s in collect([str(root)], ["error-handling"]) if s.code == "BKD312"]


def _project(root: Path, service: str) -> Path:
    return write_tree(
        root,
        {
            "pyproject.toml": '[project]\nname = "s"\ndependencies = ["fastapi"]\n',
            "s/__init__.py": "",
            "s/service.py": service,
        },
    )


def test_service_400_inside_broad_500(tmp_path: Path) -> None:
    assert _titles(_project(tmp_path, SERVICE)) == [
        "Let the 400 through the broad except of bulk_upload"
    ]


def test_silent_when_let_through_or_not_fastapi(tmp_path: Path) -> None:
    through = SERVICE.replace(
        "        except Exception as e:\n",
        "        except HTTPException:\n            raise\n        except Exception as e:\n",
    )
    assert _titles(_project(tmp_path / "a", through)) == []
    # an HTTPException of the project's own, not FastAPI's: its meaning is not known here
    own = SERVICE.replace(
        "from fastapi import HTTPException, UploadFile\n",
        "from s.errors import HTTPException\n",
    ).replace("file: UploadFile", "file")
    assert _titles(_project(tmp_path / "b", own)) == []
