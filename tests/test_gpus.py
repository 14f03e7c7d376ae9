"""GpuSlots: which job gets which GPU, with fake device lists (no GPU needed)."""

from __future__ import annotations

import threading
import time

import pytest

from gpu_runner.gpus import GpuLease, GpuRequestError, GpuSlots, detect_gpus, parse_devices


def test_whole_gpus_are_handed_out_by_id_and_given_back() -> None:
    slots = GpuSlots(devices=["0", "1"])
    first, second = slots.acquire(1), slots.acquire(1)
    assert (first.device_ids, second.device_ids) == (("0",), ("1",))
    assert not first.shared and first.memory_fraction == 1.0
    assert slots.try_acquire(1) is None
    slots.release(first)
    assert slots.acquire(1).device_ids == ("0",)


def test_small_jobs_are_packed_on_one_gpu_before_the_next() -> None:
    slots = GpuSlots(devices=["0", "1"], jobs_per_gpu=4)
    leases = [slots.acquire(0.25) for _ in range(5)]
    assert [lease.device_ids for lease in leases] == [("0",)] * 4 + [("1",)]
    assert leases[0] == GpuLease(device_ids=("0",), slots=1, shared=True, memory_fraction=0.25)
    assert slots.free_slots() == {"0": 0, "1": 3}


def test_fractions_take_proportional_slots_best_fit() -> None:
    slots = GpuSlots(devices=["a", "b"], jobs_per_gpu=4)
    half = slots.acquire(0.5)
    assert half.slots == 2 and half.device_ids == ("a",) and half.memory_fraction == 0.5
    quarter = slots.acquire(0.1)  # rounds up to one slot, goes to the fuller GPU
    assert quarter.device_ids == ("a",) and quarter.slots == 1
    assert slots.acquire(0.5).device_ids == ("b",)  # "a" has one slot left only


def test_whole_gpu_requests_need_idle_cards() -> None:
    slots = GpuSlots(devices=["0", "1", "2"], jobs_per_gpu=2)
    small = slots.acquire(0.5)
    pair = slots.acquire(2)
    assert small.device_ids == ("0",) and pair.device_ids == ("1", "2")
    assert pair.slots == 2 and not pair.shared
    assert slots.try_acquire(1) is None
    slots.release(small)
    assert slots.acquire(1).device_ids == ("0",)


def test_no_gpu_request_gets_an_empty_lease() -> None:
    slots = GpuSlots(devices=[])
    assert slots.acquire(0) == GpuLease()
    assert slots.slots_for(0) == (0, 0)


@pytest.mark.parametrize(
    "devices, gpus, message",
    [
        ([], 1, "needs 1 GPU(s) but this machine has 0 (no GPU found)"),
        ([], 0.25, "has 0"),
        (["0", "1"], 3, "needs 3 GPU(s) but this machine has 2: 0, 1"),
    ],
)
def test_impossible_requests_fail_at_once(devices: list[str], gpus: float, message: str) -> None:
    slots = GpuSlots(devices=devices, jobs_per_gpu=2)
    started = time.monotonic()
    with pytest.raises(GpuRequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        slots.acquire(gpus)
    assert time.monotonic() - started < 0.5


def test_busy_gpus_are_waited_for_then_granted() -> None:
    slots = GpuSlots(devices=["0"])
    held = slots.acquire(1)
    got: list[GpuLease] = []
    waiter = threading.Thread(target=lambda: got.append(slots.acquire(1, timeout_s=10)))
    waiter.start()
    time.sleep(0.2)
    assert got == []  # still waiting
    slots.release(held)
    waiter.join(timeout=5)
    assert got and got[0].device_ids == ("0",)


def test_waiting_has_a_timeout() -> None:
    slots = GpuSlots(devices=["0"])
    slots.acquire(1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        slots.acquire(0.5, timeout_s=0.3)
    assert 0.25 < time.monotonic() - started < 2


def test_lease_context_gives_back() -> None:
    slots = GpuSlots(devices=["0"], jobs_per_gpu=2)
    with slots.lease(0.5) as lease:
        assert lease.device_ids == ("0",) and slots.free_slots() == {"0": 1}
    assert slots.free_slots() == {"0": 2}


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        GpuSlots(devices=["0"], jobs_per_gpu=0)
    with pytest.raises(ValueError):
        GpuSlots(devices=["0", "0"])


def test_device_lists_from_options_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_devices("0, 1") == ("0", "1")
    assert parse_devices("none") == () and parse_devices("") == ()
    assert parse_devices(None) is None and parse_devices("auto") is None
    assert parse_devices(["GPU-1"]) == ("GPU-1",)
    monkeypatch.setenv("AUTOGRADER_GPUS", "2,3")
    assert detect_gpus() == ("2", "3")
    monkeypatch.setenv("AUTOGRADER_GPUS", "none")
    assert detect_gpus() == ()


def test_docker_runner_uses_gpu_ids_assigned_by_an_outer_scheduler() -> None:
    """Under Ray the task's GPU ids win over the runner's own allocator (no double booking)."""
    from gpu_runner.job import Job, Resources
    from gpu_runner.runners.docker import DockerRunner

    runner = DockerRunner(gpus="0,1", client=object())  # type: ignore[arg-type]
    job = Job(job_id="j", files={}, notebooks=(), resources=Resources(gpus=0.25), gpu_ids=("1",))
    lease, note = runner._lease(job)
    assert lease.device_ids == ("1",) and lease.shared and lease.memory_fraction == 0.25
    assert note == ""
    runner.gpu_slots.release(lease)  # a no-op: nothing was taken from the local slots
    whole = runner.gpu_slots.acquire(2, timeout_s=0)
    assert sorted(whole.device_ids) == ["0", "1"]
