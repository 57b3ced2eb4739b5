// The official OpenAI SDK talking to ggufd: listing models, a plain completion and a streamed
// one, against the fake llama-server (always) and a real llama-server (when one is found).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startDaemon } from './harness.mjs';

const fakeServices = `
[services.alpha]
model = "$DIR/alpha.gguf"
aliases = ["default"]
args = ["--fake-tokens", "6", "--fake-token-interval", "5ms"]
`;

async function withFake(body) {
  const daemon = await startDaemon(fakeServices, { prepare: (dir) => writeFileSync(join(dir, 'alpha.gguf'), 'x') });
  try {
    await body(new OpenAI({ baseURL: `${daemon.base}/v1`, apiKey: 'unused' }), daemon);
  } finally {
    assert.equal(await daemon.stop(), 0, 'ggufd exits 0 on SIGTERM');
  }
}

test('models.list shows services and aliases', async () => {
  await withFake(async (client) => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids.sort(), ['alpha', 'default']);
  });
});

test('a plain chat completion', async () => {
  await withFake(async (client) => {
    const completion = await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'hello' }],
    });
    assert.match(completion.choices[0].message.content, /^alpha@\d+#0 /);
    assert.equal(completion.usage.completion_tokens, 6);
  });
});

test('a streamed chat completion arrives chunk by chunk', async () => {
  await withFake(async (client) => {
    const stream = await client.chat.completions.create({
      model: 'alpha',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces = [];
    let usage = null;
    for await (const chunk of stream) {
      if (chunk.choices.length && chunk.choices[0].delta.content) pieces.push(chunk.choices[0].delta.content);
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(pieces.length, 6, 'one chunk per token, none merged or lost');
    pieces.forEach((piece, i) => assert.match(piece, new RegExp(`#${i} $`)));
    assert.equal(usage.completion_tokens, 6);
  });
});

test('an unknown model is a NotFoundError the SDK understands', async () => {
  await withFake(async (client) => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }),
      (error) => error instanceof OpenAI.NotFoundError && /gpt-9/.test(error.message),
    );
  });
});

test('streaming from a real llama-server through ggufd', async (t) => {
  const server = process.env.GGUFD_TEST_LLAMA_SERVER || process.env.SHARED_LLAMA_SERVER;
  if (!server || !existsSync(server)) {
    console.error(`*** SKIPPED: no llama-server found (GGUFD_TEST_LLAMA_SERVER, ${process.env.SHARED_LLAMA_SERVER}) ***`);
    t.skip('no llama-server found');
    return;
  }
  const daemon = await startDaemon(`
[services.tiny]
model = "$DIR/tiny.gguf"
ctx_size = 1024
`, {
    llamaServer: server,
    // The project's own GGUF writer makes the model.
    prepare: (dir) => execFileSync(process.env.GGUF_MKMODEL, ['--output', join(dir, 'tiny.gguf')]),
  });
  try {
    const client = new OpenAI({ baseURL: `${daemon.base}/v1`, apiKey: 'unused' });
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 16,
      stream: true,
    });
    let chunks = 0;
    let finish = null;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.choices.length && chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    }
    assert.ok(chunks >= 2, `got ${chunks} chunks`);
    assert.ok(finish, 'the stream ends with a finish reason');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
