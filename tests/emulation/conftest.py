"""The RDS Data API conformance tests' fixtures (``aurora``, ``aurora_v1``)."""

from tests.emulation.rds_data_support import aurora, aurora_v1  # noqa: F401
