import pytest

pytest_plugins = ["tests.infra.plugin", "tests.idp"]

# Fast, pure tests first, so that a broken rule fails in seconds; then the ones with real servers, slowest last.
_ORDER = (
    "tests/registry/",
    "tests/intake/",
    "tests/evaluation/",
    "tests/common/",
    "tests/contracts/",
    "tests/migrations/",
    "tests/platform/",
    "tests/services/",
    "tests/console/",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid
    for rank, prefix in enumerate(_ORDER):
        if path.startswith(prefix):
            return rank
    return len(_ORDER)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: each directory keeps its own order
