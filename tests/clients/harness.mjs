// Starts the real ggufd on a config of its own (free ports, a temp dir) for client tests, and
// stops it afterwards. Paths come from the environment CTest sets: GGUFD_BINARY, FAKE_LLAMA_SERVER.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
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
