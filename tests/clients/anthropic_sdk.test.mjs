// The official Anthropic SDK (@anthropic-ai/sdk) talking to ggufd's /v1/messages, which
// llama-server serves in Anthropic's shape: a message, a stream of typed events, the key accepted
// by ggufd's api_keys both as the SDK sends it (Authorization: Bearer, since SDK 1.x) and as
// x-api-key (older SDKs, curl from Anthropic's docs), and the preflight a browser page sends.
// Needs a real llama-server (the fake speaks only OpenAI's API); without one the suite is skipped.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { realLlamaServer, recordingFetch, startRealDaemon } from './harness.mjs';

const server = realLlamaServer();
if (!server) process.exit(77);  // every test here needs it: CTest reports the suite as skipped
const KEY = 'sk-ggufd-test';

describe('the Anthropic SDK through ggufd', () => {
  let daemon;
  let client;
  before(async () => {
    daemon = await startRealDaemon(server, `api_keys = ["${KEY}"]\n`);
    client = new Anthropic({ baseURL: daemon.base, apiKey: KEY });
  });
  after(async () => {
    if (daemon) assert.equal(await daemon.stop(), 0);
  });

  test('messages.create answers in Anthropic shape', async () => {
    const message = await client.messages.create({
      model: 'tiny',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hello' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.content[0].type, 'text');
    assert.ok(message.content[0].text.length > 0, 'some text came back');
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 8);
  });

  test('a streamed message arrives as typed events, in order', async () => {
    const stream = client.messages.stream({
      model: 'tiny',
      max_tokens: 6,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const types = [];
    let deltas = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') deltas += 1;
    }
    const final = await stream.finalMessage();
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.ok(types.includes('content_block_start') && types.includes('message_delta'), types.join(' '));
    assert.ok(deltas >= 1 && deltas <= 6, `${deltas} text deltas`);
    assert.equal(final.usage.output_tokens, 6);
    assert.equal(final.content[0].text.length > 0, true);
  });

  // The SDK sends no Authorization when the key is given as an x-api-key header.
  const withXApiKey = (key) => new Anthropic({ baseURL: daemon.base, apiKey: null, authToken: null, maxRetries: 0,
    defaultHeaders: { 'x-api-key': key } });

  test('the key as x-api-key is accepted', async () => {
    const sent = new Set();
    const message = await new Anthropic({ baseURL: daemon.base, apiKey: null, authToken: null,
      defaultHeaders: { 'x-api-key': KEY }, fetch: recordingFetch(sent) })
      .messages.create({ model: 'tiny', max_tokens: 2, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.type, 'message');
    assert.ok(sent.has('x-api-key') && !sent.has('authorization'), [...sent].join(','));
  });

  test('a wrong key is an AuthenticationError, however it is sent', async () => {
    for (const wrong of [new Anthropic({ baseURL: daemon.base, apiKey: 'not-the-key', maxRetries: 0 }),
      withXApiKey('not-the-key')]) {
      await assert.rejects(
        wrong.messages.create({ model: 'tiny', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
        (error) => error instanceof Anthropic.AuthenticationError && error.status === 401,
      );
    }
  });

  test('an unknown model is a NotFoundError naming it', async () => {
    await assert.rejects(
      client.messages.create({ model: 'claude-9', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
      (error) => error instanceof Anthropic.NotFoundError && /claude-9/.test(error.message),
    );
  });

  test('a page on another origin may use it: every header the SDK sends passes the preflight', async () => {
    const origin = 'https://chat.example.com';
    const sent = new Set();
    const browserLike = new Anthropic({
      baseURL: daemon.base,
      apiKey: KEY,
      fetch: recordingFetch(sent),
      dangerouslyAllowBrowser: true,
      defaultHeaders: { Origin: origin },
    });
    const { response } = await browserLike.messages
      .create({ model: 'tiny', max_tokens: 2, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    sent.delete('origin');
    assert.ok(sent.has('authorization') && sent.has('anthropic-version'), [...sent].join(','));
    sent.add('x-api-key');  // what older SDKs send instead

    const preflight = await fetch(`${daemon.base}/v1/messages`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': [...sent].sort().join(','),
      },
    });
    assert.equal(preflight.status, 204, 'answered by ggufd, without the key');
    const allowed = preflight.headers.get('access-control-allow-headers').toLowerCase().split(/\s*,\s*/);
    for (const name of sent) assert.ok(allowed.includes(name), `${name} is allowed`);
  });
});
