// A real browser (headless Chromium) on another origin using ggufd: the page fetch()es a
// completion with an API key (which makes the browser send its own preflight first), reads a
// streamed one and a 401, and a page on an origin not in cors_origins is refused by the browser.
// Each page reports what it saw by POSTing it back to the little server that served it.
// Needs Chromium (Debian's chromium, not installed by scripts/setup.sh: 290 MB) and exits 77,
// "skipped", without it. Run by CTest with GGUFD_BINARY, FAKE_LLAMA_SERVER and CHROMIUM set.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './harness.mjs';

const chromium = process.env.CHROMIUM;
if (!chromium || !existsSync(chromium)) {
  console.error('*** SKIPPED: no Chromium (CHROMIUM is unset; `apt-get install chromium`) ***');
  process.exit(77);
}

// What the page does, in the browser, against ggufd at `api`.
function pageScript(api) {
  return `
(async () => {
  const report = {};
  const chat = (stream, key) => fetch('${api}/v1/chat/completions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + key },
    body: JSON.stringify({ model: 'alpha', stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  try {
    const plain = await chat(false, 'k');
    report.status = plain.status;
    report.content = (await plain.json()).choices[0].message.content;
    const streamed = await chat(true, 'k');
    const reader = streamed.body.getReader();
    let text = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += new TextDecoder().decode(part.value);
    report.events = text.split('\\n\\n').filter((e) => e.startsWith('data: ')).length;
    report.done = text.includes('data: [DONE]');
    const denied = await chat(false, 'wrong');
    report.denied = denied.status;
    report.deniedCode = (await denied.json()).error.code;
  } catch (error) {
    report.error = String(error);
  }
  await fetch('/result', { method: 'POST', body: JSON.stringify(report) });
})();`;
}

// A page server on its own origin; visit(api) opens the page in Chromium, pointed at ggufd at
// `api`, and resolves with what the page reports.
async function pageServer() {
  let api = '';
  let resolveReport = () => {};
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { res.end('ok'); resolveReport(JSON.parse(body)); });
      return;
    }
    res.setHeader('Content-Type', 'text/html');
    res.end(`<!doctype html><title>page</title><script>${pageScript(api)}</script>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    close: () => server.close(),
    async visit(target) {
      api = target;
      const reported = new Promise((resolve) => { resolveReport = resolve; });
      const profile = mkdtempSync(join(tmpdir(), 'ggufd-chromium-'));
      const browser = spawn(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
        `--user-data-dir=${profile}`, `${origin}/`], { stdio: 'ignore', detached: true });
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the page reported nothing in 90 s')), 90000);
      });
      try {
        return await Promise.race([reported, timeout]);
      } finally {
        clearTimeout(timer);
        process.kill(-browser.pid, 'SIGKILL');  // the browser and its helper processes
        await new Promise((resolve) => (browser.exitCode !== null ? resolve() : browser.on('exit', resolve)));
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

const services = (origin) => `api_keys = ["k"]
cors_origins = ["${origin}"]
[services.alpha]
model = "$DIR/alpha.gguf"
args = ["--fake-tokens", "4"]
`;
const prepare = (dir) => writeFileSync(join(dir, 'alpha.gguf'), 'x');

const page = await pageServer();
const daemons = [];
after(async () => {
  for (const daemon of daemons) await daemon.stop();
  page.close();
});

test('a page on a listed origin streams, reads completions and reads a 401', async () => {
  const daemon = await startDaemon(services(page.origin), { prepare });
  daemons.push(daemon);
  const report = await page.visit(daemon.base);
  assert.equal(report.error, undefined, JSON.stringify(report));
  assert.equal(report.status, 200);
  assert.match(report.content, /^alpha@\d+#0 /);
  assert.equal(report.events, 1 + 4 + 1 + 1, 'role chunk, 4 tokens, finish chunk, [DONE]');
  assert.equal(report.done, true);
  assert.equal(report.denied, 401);
  assert.equal(report.deniedCode, 'invalid_api_key');
});

test('a page on an origin not in cors_origins cannot read anything', async () => {
  const daemon = await startDaemon(services('https://elsewhere.example'), { prepare });
  daemons.push(daemon);
  const report = await page.visit(daemon.base);
  assert.match(report.error ?? '', /TypeError/, JSON.stringify(report));
});
