// Starts the real ggufd on a config of its own (free ports, a temp dir) for client tests, and
// stops it afterwards. Paths come from the environment CTest sets: GGUFD_BINARY, FAKE_LLAMA_SERVER,
// GGUF_MKMODEL, SHARED_LLAMA_SERVER.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

// `services` is the TOML of [services.*] tables, where $DIR stands for the daemon's temp dir;
// `prepare(dir)` writes the model files first; `llamaServer` defaults to the fake.
export async function startDaemon(services, { prepare = () => {}, llamaServer = process.env.FAKE_LLAMA_SERVER } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ggufd-client-'));
  prepare(dir);
  const port = await freePort();
  const childPorts = 20000 + Math.floor(Math.random() * 10000);
  const config = join(dir, 'ggufd.toml');
  writeFileSync(config, `listen = "127.0.0.1:${port}"\nport_range = "${childPorts}-${childPorts + 20}"\n` +
    `models_dir = ""\nllama_server = "${llamaServer}"\n${services.replaceAll('$DIR', dir)}`);
  let log = '';
  const child = spawn(process.env.GGUFD_BINARY, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => {
    try {
      return (await fetch(`${base}/health`)).status === 200;
    } catch {
      return false;
    }
  }, 60000);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`ggufd did not become healthy:\n${log}`);
  }
  return {
    dir,
    base,
    log: () => log,
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

// A real llama-server: GGUFD_TEST_LLAMA_SERVER, then the shared build; null (with the reason
// printed as the suites print it) when there is none.
export function realLlamaServer() {
  const server = process.env.GGUFD_TEST_LLAMA_SERVER || process.env.SHARED_LLAMA_SERVER;
  if (server && existsSync(server)) return server;
  console.error(`*** SKIPPED: no llama-server found (GGUFD_TEST_LLAMA_SERVER, ${process.env.SHARED_LLAMA_SERVER}) ***`);
  return null;
}

// ggufd serving service "tiny", a model the project's own GGUF writer makes, on a real
// llama-server. `topLevel` is TOML placed before the service (api_keys, cors_origins...).
export function startRealDaemon(server, topLevel = '') {
  return startDaemon(`${topLevel}
[services.tiny]
model = "$DIR/tiny.gguf"
ctx_size = 1024
`, {
    llamaServer: server,
    prepare: (dir) => execFileSync(process.env.GGUF_MKMODEL, ['--output', join(dir, 'tiny.gguf')]),
  });
}

// The names of the headers a client sends, captured by wrapping fetch: what a browser would list
// in a preflight's Access-Control-Request-Headers (lowercase; safelisted ones, and those a
// browser sets itself, left out).
export function recordingFetch(seen) {
  const unlisted = new Set(['accept', 'accept-language', 'content-language', 'user-agent', 'content-length']);
  return (url, init = {}) => {
    for (const name of new Headers(init.headers).keys()) {
      if (!unlisted.has(name)) seen.add(name);
    }
    return fetch(url, init);
  };
}
