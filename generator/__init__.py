"""Generator for the GP-led commissioning evidence base: YAML records -> validated model -> Markdown."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_VERSION = "1.0"
