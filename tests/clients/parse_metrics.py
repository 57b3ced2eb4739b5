"""Reads ggufd's /metrics text on stdin with Prometheus' official Python client and checks that
every ggufd family is one typed family holding all of its samples (samples that follow another
family's header are filed by the parser as families of type "unknown")."""
import sys

from prometheus_client.parser import text_string_to_metric_families

EXPECTED = {  # family as the parser names it (counters lose _total) -> type
    "ggufd_active_requests": "gauge",
    "ggufd_requests": "counter",
    "ggufd_request_errors": "counter",
    "ggufd_tokens_generated": "counter",
    "ggufd_request_duration_seconds": "histogram",
    "ggufd_time_to_first_token_seconds": "histogram",
    "ggufd_service_in_flight": "gauge",
    "ggufd_service_restarts": "counter",
    "ggufd_service_state": "gauge",
    "ggufd_gpu_memory_total_bytes": "gauge",
    "ggufd_gpu_memory_used_bytes": "gauge",
    "ggufd_gpu_memory_budget_bytes": "gauge",
    "ggufd_gpu_memory_committed_bytes": "gauge",
}

families = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    if family.name in families:
        sys.exit(f"FAIL: family {family.name} appears twice: its samples are split")
    families[family.name] = family

problems = [f"{name}: type {f.type}, expected {EXPECTED.get(name)}" for name, f in families.items()
            if EXPECTED.get(name) != f.type]
problems += [f"{name}: missing" for name in EXPECTED if name not in families]
if problems:
    sys.exit("FAIL:\n  " + "\n  ".join(problems))


def value(family, **labels):
    for sample in families[family].samples:
        if all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    sys.exit(f"FAIL: no {family} sample with {labels}")


# The daemon saw one completion for "a"; "b" is lazy and never started; GPU 0 has a budget.
checks = [
    (value("ggufd_requests", service="a"), 1),
    (value("ggufd_requests", service="b"), 0),
    (value("ggufd_service_state", service="a", state="ready"), 1),
    (value("ggufd_service_state", service="b", state="stopped"), 1),
    (value("ggufd_request_duration_seconds", service="a", le="+Inf"), 1),
    (value("ggufd_gpu_memory_budget_bytes", gpu="0"), 1 << 30),
]
for got, want in checks:
    if got != want:
        sys.exit(f"FAIL: read {got}, expected {want}")
print(f"prometheus_client parsed {len(families)} typed families, "
      f"{sum(len(f.samples) for f in families.values())} samples")
