import pytest


@pytest.fixture
def demo(cast):
    """The people demo on top of the cast (fictional)."""
    from allied.people import demo

    demo.seed()
    return cast
