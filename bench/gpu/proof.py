#!/usr/bin/env python3
"""Proof on real GPUs (issue 7): ggufd supervising CUDA llama-servers.

Runs on an NVIDIA machine from a carried bundle (bench/gpu/bundle.sh makes it): generates models
with the project's own GGUF writer, then checks and measures, in order:

  doctor   `ggufd doctor` lists every GPU with the memory nvidia-smi reports
  masking  each child runs on the GPU ggufd gave it (nvidia-smi's per-process view); a service
           with `gpus = []` uses no GPU memory; one with no `gpus` gets CUDA_VISIBLE_DEVICES
           naming the discrete GPUs
  memory   per model: ggufd's estimate, llama-server's own projection (-lv 4) and nvidia-smi's
           per-process figure; the estimate within 10 % of nvidia-smi
  budget   a budget that fits two of three models; requests rotating through all three evict
           the least recently used idle one, wait for its memory, and none crashes or is lost
  relay    tokens/s and time to first token, direct vs through ggufd, streaming and not, at
           concurrency 1 and 8 per model; per-event added delay (p50, p99)

Assertions (masking, memory, budget; relay's 1 % target is reported) make it exit non-zero.
Results: results.json and results.md in --out. Standard library only: the device machine has
no package registry.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

MiB = 1 << 20

# name, shape flags for gguf-mkmodel (~1.7 GB F16, ~7.7 GB Q8_0, ~14.5 GB F16)
MODELS = [
    ("small-f16", ["--layers", "16", "--embedding", "2048", "--heads", "16", "--kv-heads", "4",
                   "--feed-forward", "5632", "--vocab", "32000", "--type", "f16"]),
    ("mid-q8", ["--layers", "32", "--embedding", "4096", "--heads", "32", "--kv-heads", "8",
                "--feed-forward", "14336", "--vocab", "32000", "--type", "q8_0"]),
    ("large-f16", ["--layers", "32", "--embedding", "4096", "--heads", "32", "--kv-heads", "8",
                   "--feed-forward", "14336", "--vocab", "32000", "--type", "f16", "--seed", "3"]),
]
QUICK_MODELS = MODELS[:1] + [("tiny-q8", ["--layers", "4", "--embedding", "512", "--heads", "8", "--kv-heads", "4",
                                          "--feed-forward", "1024", "--vocab", "32000", "--type", "q8_0"])]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def http(method, url, body=None, timeout=600):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout) as error:
        return 0, str(error)


# --- nvidia-smi ---------------------------------------------------------------------------------

def nvidia_gpus():
    out = subprocess.run(["nvidia-smi", "--query-gpu=index,name,pci.bus_id,memory.total,memory.used",
                          "--format=csv,noheader,nounits"], capture_output=True, text=True, check=True).stdout
    gpus = []
    for line in out.strip().splitlines():
        index, name, bus, total, used = [part.strip() for part in line.split(",")]
        gpus.append({"index": int(index), "name": name, "bus": bus.lower()[-12:], "total_mib": int(total),
                     "used_mib": int(used)})
    return gpus


def compute_apps():
    """pid -> (bus id, MiB) for every process holding GPU memory."""
    out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,gpu_bus_id,used_memory",
                          "--format=csv,noheader,nounits"], capture_output=True, text=True, check=True).stdout
    apps = {}
    for line in out.strip().splitlines():
        if not line.strip():
            continue
        pid, bus, used = [part.strip() for part in line.split(",")]
        apps.setdefault(int(pid), []).append((bus.lower()[-12:], int(used)))
    return apps


# --- ggufd --------------------------------------------------------------------------------------

class Ggufd:
    def __init__(self, bundle, workdir, name, config_body, llama_server):
        self.port = free_port()
        base = 20000 + (self.port % 20000)
        self.config = os.path.join(workdir, name + ".toml")
        with open(self.config, "w") as f:
            f.write(f'listen = "127.0.0.1:{self.port}"\nport_range = "{base}-{base + 50}"\nmodels_dir = ""\n'
                    f'llama_server = "{llama_server}"\n{config_body}')
        self.log_path = os.path.join(workdir, name + ".log")
        self.bundle = bundle
        self.process = None

    def start(self):
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen([os.path.join(self.bundle, "bin", "ggufd"), "serve", "--config", self.config],
                                        stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_until(lambda: http("GET", self.url("/health"), timeout=2)[0] != 0, 60):
            raise RuntimeError("ggufd did not start: " + open(self.log_path).read()[-3000:])
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def service(self, name):
        status, body = http("GET", self.url("/services/" + name))
        return json.loads(body) if status == 200 else None

    def wait_state(self, name, states, timeout=300):
        states = [states] if isinstance(states, str) else states
        return wait_until(lambda: (self.service(name) or {}).get("state") in states, timeout, 0.2)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.returncode if self.process else None


def service_toml(name, model, gpus=None, extra=""):
    text = f'[services.{name}]\nmodel = "{model}"\nctx_size = 4096\nparallel = 8\nrestart = "never"\n'
    if gpus is not None:
        text += f"gpus = {json.dumps(gpus)}\n"
    return text + extra


def environ_of(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(entry.split(b"=", 1) for entry in f.read().split(b"\0") if b"=" in entry)


# --- the checks ---------------------------------------------------------------------------------

class Proof:
    def __init__(self, args):
        self.args = args
        self.results = {"checks": [], "machine": {}, "memory": [], "budget": {}, "relay": []}
        self.failures = 0

    def check(self, name, ok, detail):
        self.results["checks"].append({"check": name, "ok": bool(ok), "detail": detail})
        if not ok:
            self.failures += 1
        log("PASS" if ok else "FAIL", name, "-", detail)

    def ggufd(self, name, body):
        return Ggufd(self.args.bundle, self.args.work, name, body, self.args.llama_server).start()

    def doctor(self, models):
        config = os.path.join(self.args.work, "doctor.toml")
        with open(config, "w") as f:
            f.write(f'listen = "127.0.0.1:{free_port()}"\nmodels_dir = ""\nllama_server = "{self.args.llama_server}"\n'
                    + service_toml("small", models[0][1]))
        run = subprocess.run([os.path.join(self.args.bundle, "bin", "ggufd"), "doctor", "--config", config, "--json"],
                             capture_output=True, text=True)
        with open(os.path.join(self.args.out, "doctor.json"), "w") as f:
            f.write(run.stdout)
        human = subprocess.run([os.path.join(self.args.bundle, "bin", "ggufd"), "doctor", "--config", config],
                               capture_output=True, text=True).stdout
        self.results["doctor_output"] = human
        smi = nvidia_gpus()
        for gpu in smi:
            listed = f"{gpu['total_mib']}" in human or f"{gpu['total_mib'] / 1024:.1f} GiB" in human
            self.check(f"doctor lists GPU {gpu['index']}", gpu["name"] in human and listed,
                       f"{gpu['name']}, {gpu['total_mib']} MiB per nvidia-smi")

    def masking(self, models):
        gpus = nvidia_gpus()
        model = models[0][1]
        body = service_toml("pinned0", model, [0]) + service_toml("cpu", model, []) + service_toml("default", model)
        if len(gpus) > 1:
            body += service_toml("pinned1", model, [1])
        daemon = self.ggufd("masking", body)
        try:
            names = ["pinned0", "cpu", "default"] + (["pinned1"] if len(gpus) > 1 else [])
            for name in names:
                self.check(f"masking: {name} ready", daemon.wait_state(name, "ready"), daemon.service(name)["reason"])
            # Warm each one up so its CUDA context and buffers exist.
            for name in names:
                http("POST", daemon.url("/v1/completions"), {"model": name, "prompt": "hi", "max_tokens": 2})
            apps = compute_apps()
            by_index = {gpu["index"]: gpu["bus"] for gpu in gpus}
            table = []
            for name in names:
                status = daemon.service(name)
                pid = status["pid"]
                env = environ_of(pid)
                cuda = env.get(b"CUDA_VISIBLE_DEVICES", b"").decode()
                buses = sorted({bus for bus, _ in apps.get(pid, [])})
                mib = sum(used for _, used in apps.get(pid, []))
                table.append({"service": name, "gpus": status["gpus"], "pid": pid, "CUDA_VISIBLE_DEVICES": cuda,
                              "nvidia_smi_buses": buses, "nvidia_smi_mib": mib})
                if name == "cpu":
                    self.check("masking: gpus = [] uses no GPU memory", pid not in apps and cuda == "-1",
                               f"CUDA_VISIBLE_DEVICES={cuda}, nvidia-smi: {apps.get(pid)}")
                elif name == "default":
                    expected = ",".join(str(gpu["index"]) for gpu in gpus)
                    self.check("masking: no gpus set -> CUDA_VISIBLE_DEVICES names the GPUs", cuda == expected,
                               f"CUDA_VISIBLE_DEVICES={cuda}, expected {expected}; nvidia-smi buses {buses}")
                else:
                    index = int(name[-1])
                    self.check(f"masking: {name} runs on GPU {index} only",
                               cuda == str(index) and buses == [by_index[index]],
                               f"CUDA_VISIBLE_DEVICES={cuda}, nvidia-smi buses {buses}, GPU {index} is {by_index[index]}")
            self.results["masking"] = table
        finally:
            daemon.stop()

    def memory(self, models):
        for name, path in models:
            daemon = self.ggufd("memory-" + name, service_toml(name, path, [0], 'args = ["-lv", "4"]\n'))
            try:
                ready = daemon.wait_state(name, "ready", 600)
                self.check(f"memory: {name} ready", ready, (daemon.service(name) or {}).get("reason"))
                if not ready:
                    continue
                http("POST", daemon.url("/v1/completions"), {"model": name, "prompt": "hi", "max_tokens": 4})
                status = daemon.service(name)
                estimate = status["model_info"]["memory"]["device_bytes"] / MiB
                _, logs = http("GET", daemon.url(f"/services/{name}/logs?tail=100000"))
                projected = re.findall(r"projected to use (\d+) MiB", logs)
                buffers = {kind: sum(float(x) for x in re.findall(kind + r" buffer size =\s+([\d.]+) MiB", logs))
                           for kind in ("model", "KV", "compute")}
                measured = sum(used for _, used in compute_apps().get(status["pid"], []))
                row = {"model": name, "file_gib": round(os.path.getsize(path) / (1 << 30), 2),
                       "estimate_mib": round(estimate), "llama_projected_mib": int(projected[-1]) if projected else None,
                       "llama_buffers_mib": {k: round(v, 1) for k, v in buffers.items()}, "nvidia_smi_mib": measured,
                       "explanation": status["model_info"]["memory"]["explanation"]}
                if projected:
                    row["cuda_overhead_mib"] = measured - int(projected[-1])
                error = abs(estimate - measured) / measured if measured else 1.0
                row["error_vs_nvidia_smi"] = round(error, 4)
                self.results["memory"].append(row)
                self.check(f"memory: {name} estimate within 10% of nvidia-smi", error <= 0.10,
                           f"estimate {estimate:.0f} MiB, nvidia-smi {measured} MiB ({error:+.1%}), "
                           f"llama.cpp projected {row['llama_projected_mib']} MiB")
            finally:
                daemon.stop()

    def budget(self, models):
        estimates = {row["model"]: row["estimate_mib"] for row in self.results["memory"]}
        if len(estimates) < 3:
            self.check("budget: needs three models with estimates", False, str(estimates))
            return
        names = [name for name, _ in models]
        # Any two fit, all three do not.
        pair = sorted(estimates.values())[-2:]
        budget_mib = sum(pair) + 256
        body = f'[memory]\nbudget = {{ "0" = "{budget_mib}MiB" }}\n'
        for name, path in models:
            body += service_toml(name, path, [0], 'load = "lazy"\n')
        daemon = self.ggufd("budget", body)
        try:
            order = names * 2
            outcomes = []
            for name in order:
                start = time.time()
                status, body = http("POST", daemon.url("/v1/completions"),
                                    {"model": name, "prompt": "hello", "max_tokens": 8})
                states = {n: (daemon.service(n) or {}).get("state") for n in names}
                outcomes.append({"model": name, "status": status, "seconds": round(time.time() - start, 2),
                                 "states_after": states})
                log("budget:", name, status, states)
            evicted_log = open(daemon.log_path).read()
            restarts = {n: daemon.service(n)["restarts"] for n in names}
            causes = {n: daemon.service(n)["cause"] for n in names}
            self.results["budget"] = {"budget_mib": budget_mib, "estimates_mib": estimates, "requests": outcomes,
                                      "restarts": restarts, "evictions": evicted_log.count("evicted to make room"),
                                      "memory_waits_timed_out": evicted_log.count("memory not reported free")}
            self.check("budget: every request answered 200", all(o["status"] == 200 for o in outcomes),
                       str([(o["model"], o["status"]) for o in outcomes]))
            self.check("budget: the least recently used idle model was evicted", evicted_log.count("evicted to make room") >= 4,
                       f"{evicted_log.count('evicted to make room')} evictions; causes now {causes}")
            self.check("budget: no child crashed", all(r == 0 for r in restarts.values()) and "crashed" not in evicted_log,
                       f"restarts {restarts}")
        finally:
            daemon.stop()

    def relay(self, models):
        for name, path in models:
            daemon = self.ggufd("relay-" + name, service_toml(name, path, [0]))
            try:
                if not daemon.wait_state(name, "ready", 600):
                    self.check(f"relay: {name} ready", False, daemon.service(name)["reason"])
                    continue
                child = daemon.service(name)["port"]
                targets = {"direct": f"http://127.0.0.1:{child}", "ggufd": daemon.url("")}
                for concurrency in (1, 8):
                    row = {"model": name, "concurrency": concurrency}
                    for mode in ("stream", "plain"):
                        for round_ in range(self.args.rounds):
                            for target, base in targets.items():  # back to back (direct first): drift hits both
                                if mode == "plain":
                                    figures = plain_tokens_per_second(base, name, concurrency, self.args.seconds)
                                else:
                                    figures = self.stream(base, name, concurrency, target)
                                row.setdefault(f"{mode}_{target}", []).append(figures)
                    self.results["relay"].append(summarise_relay(row))
                    log("relay:", json.dumps(self.results["relay"][-1]))
            finally:
                daemon.stop()
        for row in self.results["relay"]:
            for mode in ("stream", "plain"):
                ratio = row[f"{mode}_tokens_per_s_ratio"]
                self.check(f"relay: {row['model']} c={row['concurrency']} {mode} tokens/s within 1% of direct",
                           ratio >= 0.99, f"ggufd/direct = {ratio:.4f}")

    def stream(self, base, model, concurrency, target):
        reference = os.path.join(self.args.work, f"reference-{model}-{concurrency}.json")
        command = [os.path.join(self.args.bundle, "bin", "sse-bench"), "--url", base + "/v1/chat/completions",
                   "--model", model, "--tokens", str(self.args.tokens), "-c", str(concurrency),
                   "--warmup", "1s", "--duration", f"{self.args.seconds}s", "--stream-timeout", "60s"]
        if target != "direct" and os.path.exists(reference):
            command += ["--reference", reference]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            return {"error": out.stderr[-500:]}
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if target == "direct":
            with open(reference, "w") as f:
                f.write(out.stdout.strip().splitlines()[-1])
        return result

    def run(self):
        os.makedirs(self.args.out, exist_ok=True)
        os.makedirs(self.args.work, exist_ok=True)
        smi = nvidia_gpus()
        self.results["machine"] = {"gpus": smi, "driver": subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True,
            text=True).stdout.strip().splitlines()[0], "commit": self.args.commit}
        log("GPUs:", smi)
        models = self.make_models()
        steps = self.args.steps.split(",")
        if "doctor" in steps:
            self.doctor(models)
        if "masking" in steps:
            self.masking(models)
        if "memory" in steps:
            self.memory(models)
        if "budget" in steps:
            self.budget(models)
        if "relay" in steps:
            self.relay(models)
        with open(os.path.join(self.args.out, "results.json"), "w") as f:
            json.dump(self.results, f, indent=2)
        log(f"{len(self.results['checks']) - self.failures} passed, {self.failures} failed")
        return 1 if self.failures else 0

    def make_models(self):
        directory = self.args.models_dir
        os.makedirs(directory, exist_ok=True)
        made = []
        for name, shape in (QUICK_MODELS if self.args.quick else MODELS):
            if self.args.only and name not in self.args.only.split(","):
                continue
            path = os.path.join(directory, name + ".gguf")
            if not os.path.exists(path):
                start = time.time()
                subprocess.run([os.path.join(self.args.bundle, "bin", "gguf-mkmodel"), "-o", path,
                                "--threads", str(os.cpu_count()), "--name", name] + shape, check=True,
                               stdout=subprocess.DEVNULL)
                log(f"wrote {path}: {os.path.getsize(path) / (1 << 30):.2f} GiB in {time.time() - start:.1f}s")
            made.append((name, path))
        return made


def plain_tokens_per_second(base, model, concurrency, seconds):
    """Non-streaming completions back to back from `concurrency` threads for `seconds`.

    tokens_per_s is the aggregate rate; per_request_tokens_per_s the median of each request's
    completion tokens over its own latency, which window edges cannot quantise."""
    tokens, rates, latencies, errors = [0], [], [], [0]
    lock = threading.Lock()
    deadline = time.time() + seconds

    def worker():
        while time.time() < deadline:
            start = time.time()
            status, body = http("POST", base + "/v1/completions",
                                {"model": model, "prompt": "Count to a hundred.", "max_tokens": 128,
                                 "ignore_eos": True})
            elapsed = time.time() - start
            with lock:
                if status == 200:
                    count = json.loads(body)["usage"]["completion_tokens"]
                    tokens[0] += count
                    rates.append(count / elapsed)
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    return {"tokens_per_s": tokens[0] / elapsed, "requests": len(latencies), "errors": errors[0],
            "per_request_tokens_per_s": statistics.median(rates) if rates else 0,
            "latency_p50_ms": statistics.median(latencies) * 1000 if latencies else None}


def summarise_relay(row):
    """Medians over rounds; the ggufd/direct ratio is taken within each round (the two ran back to
    back, so slow drift of the GPU or the machine cancels) and its median reported."""
    out = {"model": row["model"], "concurrency": row["concurrency"], "rounds": {}}
    for mode, key in (("stream", "events_per_s"), ("plain", "per_request_tokens_per_s")):
        direct_runs, ggufd_runs = row[f"{mode}_direct"], row[f"{mode}_ggufd"]
        ratios = [g[key] / d[key] for d, g in zip(direct_runs, ggufd_runs)
                  if "error" not in d and "error" not in g and d.get(key)]
        out["rounds"][mode] = {"direct": [r.get(key) for r in direct_runs], "ggufd": [r.get(key) for r in ggufd_runs]}
        for target, runs in (("direct", direct_runs), ("ggufd", ggufd_runs)):
            good = [r for r in runs if "error" not in r]
            out[f"{mode}_{target}_tokens_per_s"] = statistics.median(r[key] for r in good) if good else 0
            if mode == "stream" and good:
                out[f"stream_{target}_ttfb_p50_us"] = statistics.median(r["ttfb_us"]["p50"] for r in good)
                if target == "ggufd" and "event_delay_us" in good[0]:
                    out["stream_added_event_delay_p50_us"] = statistics.median(r["event_delay_us"]["p50"] for r in good)
                    out["stream_added_event_delay_p99_us"] = statistics.median(r["event_delay_us"]["p99"] for r in good)
        out[f"{mode}_tokens_per_s_ratio"] = statistics.median(ratios) if ratios else 0
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", required=True, help="directory with bin/ (ggufd, gguf-mkmodel, sse-bench)")
    parser.add_argument("--llama-server", required=True, help="the CUDA llama-server")
    parser.add_argument("--out", required=True, help="where results go (results.json, doctor.json)")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "ggufd-gpu-work"),
                        help="configs, daemon logs and stream references")
    parser.add_argument("--models-dir", default=os.path.join(tempfile.gettempdir(), "ggufd-gpu-models"))
    parser.add_argument("--steps", default="doctor,masking,memory,budget,relay")
    parser.add_argument("--quick", action="store_true", help="two small models: a dry run of the script")
    parser.add_argument("--only", default="", help="comma-separated model names to use (default: all)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--commit", default="unknown")
    return Proof(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
