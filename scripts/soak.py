#!/usr/bin/env python3
"""The soak's driver (scripts/soak.sh builds and calls it): runs ggufd on a config of real and
fake llama-servers, sends streaming and plain requests from several clients, and meanwhile
SIGKILLs and SIGSTOPs children, stops, starts and restarts services and reloads changed configs.
It prints requests, ok, clean errors, hung, silent truncations, orphans and the daemon's RSS and
descriptor trend, and exits 1 on a crash, a hang, a truncation or an orphan (docs/RELIABILITY.md).
Standard library only."""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HUNG_AFTER = 90        # seconds without a byte: longer than any bound the config sets
WARM_UP = 60           # seconds before the RSS and descriptor baseline is taken


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fleet:
    """The config: which services exist, and the settings a reload may change."""

    def __init__(self, work, fake, llama, models, seed):
        self.work, self.fake, self.llama, self.models = work, fake, llama, models
        self.random = random.Random(seed)
        self.extra = False
        self.tokens = 16
        self.real_ctx = 512

    def names(self):
        names = ["fake_fast", "fake_stream", "fake_slow_stop", "fake_lazy", "wrapped"]
        if self.llama:
            names += ["real_a", "real_b"]
        return names + (["fake_extra"] if self.extra else [])

    def change(self):
        what = self.random.choice(["tokens", "extra", "ctx"] if self.llama else ["tokens", "extra"])
        if what == "tokens":
            self.tokens = 24 if self.tokens == 16 else 16
        elif what == "extra":
            self.extra = not self.extra
        else:
            self.real_ctx = 1024 if self.real_ctx == 512 else 512
        return what

    def text(self, listen, ports):
        model = os.path.join(self.work, "fake.gguf")
        fake = lambda name, settings, args: (
            f'[services.{name}]\nmodel = "{model}"\ncommand = ["{self.fake}", "--port", "{{port}}", "--model", '
            f'"{{model}}", "--alias", "{name}"{"".join(f", {json.dumps(a)}" for a in args)}]\n{settings}\n')
        text = (f'listen = "127.0.0.1:{listen}"\nport_range = "{ports}-{ports + 49}"\nmodels_dir = ""\n'
                f'llama_server = "{self.llama or self.fake}"\nupstream_timeout = "60s"\ndrain_timeout = "5s"\n'
                '[defaults]\nhealth_interval = "1s"\nhealth_timeout = "1s"\nhealth_failures = 3\n'
                'stop_timeout = "3s"\nfirst_byte_timeout = "30s"\nrestart_limit = 1000\n')
        text += fake("fake_fast", "", ["--fake-tokens", str(self.tokens)])
        text += fake("fake_stream", "", ["--fake-tokens", "40", "--fake-token-interval", "20ms"])
        text += fake("fake_slow_stop", 'stop_timeout = "5s"', ["--fake-term-delay", "2s"])
        text += fake("fake_lazy", 'load = "lazy"\nidle_unload = "10s"', [])
        script = f'{self.fake} --port "$1" --model "$2" --alias wrapped & wait'
        text += (f'[services.wrapped]\nmodel = "{model}"\n'
                 f'command = ["/bin/sh", "-c", {json.dumps(script)}, "wrapper", "{{port}}", "{{model}}"]\n')
        if self.extra:
            text += fake("fake_extra", 'load = "lazy"', [])
        if self.llama:
            for name, load, index in (("real_a", "eager", 0), ("real_b", "lazy", 1)):
                text += (f'[services.{name}]\nmodel = "{self.models[index]}"\nload = "{load}"\ngpus = []\n'
                         f'ctx_size = {self.real_ctx}\nparallel = 2\nstart_timeout = "60s"\n'
                         f'args = ["--threads", "1"]\n')
                if load == "lazy":
                    text += 'idle_unload = "20s"\n'
        return text


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {k: 0 for k in ("requests", "ok", "clean_errors", "hung", "truncated")}
        self.chaos = {}
        self.examples = []

    def add(self, kind, example=None):
        with self.lock:
            self.counts[kind] += 1
            if example and len(self.examples) < 10:
                self.examples.append(f"{kind}: {example}")

    def did(self, action):
        with self.lock:
            self.chaos[action] = self.chaos.get(action, 0) + 1


def one_request(port, model, stream, tally):
    body = json.dumps({"model": model, "stream": stream, "max_tokens": random.randint(4, 40),
                       "messages": [{"role": "user", "content": "Tell me something."}]})
    tally.add("requests")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HUNG_AFTER)
    try:
        conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
    except socket.timeout:
        return tally.add("hung", f"{model} stream={stream}: nothing for {HUNG_AFTER}s")
    except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError) as error:
        return tally.add("truncated", f"{model} stream={stream}: {type(error).__name__}: {error}")
    finally:
        conn.close()
    text = data.decode("utf-8", "replace")
    if response.status != 200:
        try:
            json.loads(text)["error"]["message"]
            return tally.add("clean_errors")
        except (ValueError, KeyError, TypeError):
            return tally.add("truncated", f"{model}: HTTP {response.status} without an OpenAI error: {text[:200]}")
    if stream:
        if "data: [DONE]" in text:
            return tally.add("ok")
        if '"error"' in text:
            return tally.add("clean_errors")
        return tally.add("truncated", f"{model}: a stream that ended without [DONE] or an error: ...{text[-200:]}")
    try:
        json.loads(text)["choices"]
        tally.add("ok")
    except (ValueError, KeyError):
        tally.add("truncated", f"{model}: a body that is not a whole completion: {text[:200]}")


def get_json(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as reply:
            return json.loads(reply.read())
    except Exception:  # noqa: BLE001 - the caller only needs "no answer"
        return None


def post(port, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:  # noqa: BLE001
        return 0


def chaos(port, fleet, config_path, daemon, tally, over, rng):
    while not over.is_set():
        time.sleep(rng.uniform(0.5, 2.5))
        services = (get_json(port, "/services") or {}).get("services", [])
        pids = [s["pid"] for s in services if s.get("pid")]
        action = rng.choice(["kill", "stop_cont", "stop_start", "restart", "reload"])
        if action == "kill" and pids:
            os.kill(rng.choice(pids), signal.SIGKILL)
        elif action == "stop_cont" and pids:
            pid = rng.choice(pids)
            os.kill(pid, signal.SIGSTOP)
            # Sometimes longer than the hang bound (1 s x 3 + 1 s), so that it is killed.
            time.sleep(rng.uniform(0.5, 7))
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        elif action == "stop_start":
            name = rng.choice(fleet.names())
            post(port, f"/services/{name}/stop")
            time.sleep(rng.uniform(0, 2))
            post(port, f"/services/{name}/start")
        elif action == "restart":
            post(port, f"/services/{rng.choice(fleet.names())}/restart")
        elif action == "reload":
            fleet.change()
            with open(config_path, "w") as out:
                out.write(fleet.text(port, fleet.ports))
            daemon.send_signal(signal.SIGHUP)
        else:
            continue
        tally.did(action)


def client(port, fleet, tally, over, rng):
    while not over.is_set():
        one_request(port, rng.choice(fleet.names()), rng.random() < 0.5, tally)


def sample(pid):
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def strays(work, daemon_pid):
    """Processes that run from the soak's directory without the daemon among their ancestors."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if work.encode() not in f.read():
                    continue
            pid = int(entry)
            ancestor = pid
            while ancestor > 1 and ancestor != daemon_pid:
                with open(f"/proc/{ancestor}/stat") as f:
                    ancestor = int(f.read().rsplit(")", 1)[1].split()[1])
            if ancestor != daemon_pid and pid not in (daemon_pid, os.getpid()):
                found.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return found


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--minutes", "--ggufd", "--fake", "--llama-server", "--work", "--models"):
        parser.add_argument(flag, default="")
    args = parser.parse_args()
    seed = int(os.environ.get("SOAK_SEED", time.time()))
    rng = random.Random(seed)
    fleet = Fleet(args.work, args.fake, args.llama_server, args.models.split(",") if args.models else [], seed)
    port, fleet.ports = free_port(), 20000 + rng.randrange(0, 10000)
    config_path = os.path.join(args.work, "ggufd.toml")
    open(os.path.join(args.work, "fake.gguf"), "w").write("x")
    with open(config_path, "w") as out:
        out.write(fleet.text(port, fleet.ports))
    log = open(os.path.join(args.work, "ggufd.log"), "w")
    daemon = subprocess.Popen([args.ggufd, "serve", "--config", config_path], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.time() + 60
    while get_json(port, "/health") is None and time.time() < deadline and daemon.poll() is None:
        time.sleep(0.2)

    tally, over = Tally(), threading.Event()
    threads = [threading.Thread(target=client, args=(port, fleet, tally, over, random.Random(seed + i)))
               for i in range(4)]
    threads.append(threading.Thread(target=chaos, args=(port, fleet, config_path, daemon, tally, over, rng)))
    for thread in threads:
        thread.start()
    started, samples = time.time(), []
    end = started + float(args.minutes) * 60
    crashed = False
    while time.time() < end:
        time.sleep(5)
        if daemon.poll() is not None:
            crashed = True
            break
        samples.append((time.time() - started, *sample(daemon.pid)))
    over.set()
    for thread in threads:
        thread.join()

    orphans_running = [] if crashed else strays(args.work, daemon.pid)
    if not crashed:
        daemon.send_signal(signal.SIGTERM)
        try:
            crashed = daemon.wait(timeout=60) != 0
        except subprocess.TimeoutExpired:
            crashed = True
    deadline = time.time() + 15
    left = strays(args.work, -1)
    while left and time.time() < deadline:
        time.sleep(0.5)
        left = strays(args.work, -1)
    orphans = sorted(set(orphans_running + left))
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    try:
        os.killpg(daemon.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass

    c = tally.counts
    minutes = (time.time() - started) / 60
    print(f"soak: {minutes:.1f} min, seed {seed}, real llama-server: {'yes' if args.llama_server else 'no'}")
    print(f"requests {c['requests']}  ok {c['ok']}  clean errors {c['clean_errors']}  hung {c['hung']}  "
          f"silent truncations {c['truncated']}  orphans {len(orphans)}  daemon crashed: {'yes' if crashed else 'no'}")
    print("chaos: " + ", ".join(f"{n} {a}" for a, n in sorted(tally.chaos.items())))
    warm = [s for s in samples if s[0] >= WARM_UP] or samples
    if warm:
        print(f"daemon RSS MiB: {warm[0][1]:.1f} after warm-up, {warm[-1][1]:.1f} at the end, "
              f"max {max(s[1] for s in warm):.1f}; fds: {warm[0][2]} after warm-up, {warm[-1][2]} at the end, "
              f"max {max(s[2] for s in warm)}")
    for example in tally.examples:
        print("  " + example)
    bad = crashed or c["hung"] or c["truncated"] or orphans
    if bad:
        print(f"FAILED (the daemon's log: {os.path.join(args.work, 'ggufd.log')})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
