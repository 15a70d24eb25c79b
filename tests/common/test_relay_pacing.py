"""The outbox relay's pace between batches (`BatchPacing`): prompt while events come slowly, fewer and larger batches
while they come fast. Pure: the times are given, nothing is published."""

import pytest

from pilot_common.relay import BatchPacing


def _steady(pacing: BatchPacing, events_per_batch: int, every: float, seconds: float, start: float = 0.0) -> float:
    """Batches of `events_per_batch` every `every` seconds for `seconds`; the pause after the last one."""
    pause = 0.0
    for n in range(round(seconds / every)):
        pause = pacing.after(events_per_batch, start + n * every)
    return pause


@pytest.mark.parametrize(
    ("events_per_batch", "every"),
    [(1, 2.0), (1, 0.1), (1, 0.02)],  # a command now and then; 10 a second; 50 a second
    ids=["now-and-then", "10/s", "50/s"],
)
def test_a_quiet_service_publishes_each_batch_after_the_shortest_pause(events_per_batch: int, every: float) -> None:
    pacing = BatchPacing(shortest=0.02, longest=0.1, prompt_rate=50)
    assert _steady(pacing, events_per_batch, every, seconds=5) == pytest.approx(0.02, rel=0.03)


def test_a_busy_service_waits_longer_the_faster_events_come_but_never_beyond_the_longest() -> None:
    pauses = []
    for rate in (100, 200, 250, 10_000):
        pacing = BatchPacing(shortest=0.02, longest=0.1, prompt_rate=50)
        pauses.append(_steady(pacing, events_per_batch=rate // 25, every=0.04, seconds=3))
    assert pauses == pytest.approx([0.04, 0.08, 0.1, 0.1], rel=0.03)


def test_the_pace_follows_the_last_second_only() -> None:
    pacing = BatchPacing(shortest=0.02, longest=0.1, prompt_rate=50)
    assert _steady(pacing, 25, every=0.1, seconds=3) == pytest.approx(0.1), "250 events a second"
    # The burst is over: a command's events alone, a little over a second later, go out promptly again.
    assert pacing.after(3, now=4.2) == pytest.approx(0.02)
