"""/metrics adds up every process's prometheus-client files, in subdirectories too, and a file
that a starting process has created but not yet sized (0 bytes; it stays so if the process is
killed at that moment) is read as no samples instead of failing the whole scrape
(prometheus/client_python#1199)."""

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from monitoring.metrics import MultiProcessTreeCollector


def counter_file(path, value: float) -> None:
    values = MmapedDict(str(path))
    key = mmap_key("orgkeeper_test", "orgkeeper_test_total", [], [], "help")
    values.write_value(key, value, 0.0)
    values.close()


def scrape(directory) -> str:
    registry = CollectorRegistry()
    registry.register(MultiProcessTreeCollector(str(directory)))
    return generate_latest(registry).decode()


def test_it_adds_up_the_files_of_every_process_and_subdirectory(tmp_path):
    counter_file(tmp_path / "counter_1.db", 2)
    (tmp_path / "web").mkdir()
    counter_file(tmp_path / "web" / "counter_2.db", 3)

    assert "orgkeeper_test_total 5.0" in scrape(tmp_path)


def test_a_file_not_sized_yet_counts_as_no_samples(tmp_path):
    counter_file(tmp_path / "counter_1.db", 2)
    (tmp_path / "counter_2.db").touch()  # created, not yet truncated to its initial size

    assert "orgkeeper_test_total 2.0" in scrape(tmp_path)
