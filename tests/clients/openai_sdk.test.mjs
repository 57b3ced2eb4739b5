// The official OpenAI SDK talking to ggufd: listing and retrieving models, a plain completion and
// a streamed one, what a browser page using the SDK needs (preflight, CORS headers), against the
// fake llama-server (always); chat streaming and the Responses API against a real llama-server
// (when one is found).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { realLlamaServer, recordingFetch, startDaemon, startRealDaemon } from './harness.mjs';

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

test('models.retrieve finds a model by name or alias, and unknown ids are NotFoundErrors', async () => {
  await withFake(async (client) => {
    const model = await client.models.retrieve('default');
    assert.equal(model.id, 'default');
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'ggufd');
    assert.equal(typeof model.created, 'number');
    for (const id of ['gpt-9', 'org/model', 'a:b']) {
      await assert.rejects(client.models.retrieve(id),
        (error) => error instanceof OpenAI.NotFoundError && error.message.includes(`"${id}"`), id);
    }
  });
});

test('a page on another origin: the preflight the browser sends first, then the readable answer', async () => {
  await withFake(async (_, daemon) => {
    const origin = 'http://localhost:5173';
    const sent = new Set();
    const client = new OpenAI({
      baseURL: `${daemon.base}/v1`,
      apiKey: 'unused',
      fetch: recordingFetch(sent),
      defaultHeaders: { Origin: origin },
    });
    // The headers the SDK sends are what the browser asks the preflight to allow.
    await client.models.list();
    sent.delete('origin');
    const requested = [...sent].sort().join(',');
    assert.match(requested, /authorization/);
    const preflight = await fetch(`${daemon.base}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': requested },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
    const allowed = preflight.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
    for (const name of sent) assert.ok(allowed.includes(name), `${name} is allowed`);

    const { data, response } = await client.chat.completions
      .create({ model: 'alpha', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.match(data.choices[0].message.content, /^alpha@/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });
});

describe('through a real llama-server', () => {
  const server = realLlamaServer();
  let daemon;
  let client;
  before(async () => {
    if (!server) return;
    daemon = await startRealDaemon(server);
    client = new OpenAI({ baseURL: `${daemon.base}/v1`, apiKey: 'unused' });
  });
  after(async () => {
    if (daemon) assert.equal(await daemon.stop(), 0);
  });

  test('a chat completion streams', { skip: !server && 'no llama-server found' }, async () => {
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
  });

  test('the Responses API answers through /v1/responses', { skip: !server && 'no llama-server found' }, async () => {
    const response = await client.responses.create({ model: 'tiny', input: 'hello', max_output_tokens: 8 });
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.equal(typeof response.output_text, 'string');
    assert.ok(response.output_text.length > 0, 'some text came back');
    assert.equal(response.usage.output_tokens, 8);
  });

  test('the Responses API streams its events', { skip: !server && 'no llama-server found' }, async () => {
    const stream = await client.responses.create({ model: 'tiny', input: 'hello', max_output_tokens: 8, stream: true });
    const types = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(types.filter((t) => t === 'response.output_text.delta').length >= 1, types.join(' '));
    assert.ok(text.length > 0);
  });

  test('models.retrieve reports the model the GGUF header describes', { skip: !server && 'no llama-server found' }, async () => {
    const model = await client.models.retrieve('tiny');
    assert.equal(model.id, 'tiny');
    assert.equal(model.architecture, 'llama');
  });
});
