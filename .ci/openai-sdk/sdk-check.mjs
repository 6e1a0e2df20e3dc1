// Drives Parley's OpenAI-compatible /v1 with the official OpenAI TypeScript SDK, unchanged but for
// its base URL: conversations, items with auto-pagination, responses (plain and streamed),
// retrieval, deletion and a typed error. Run by OpenAiSdkIT against the packaged jar:
//   PARLEY_BASE_URL=http://127.0.0.1:8080/v1 PARLEY_API_KEY=pk_live_... node sdk-check.mjs
// Prints one JSON line with what it saw; exits non-zero on the first broken expectation.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ baseURL: process.env.PARLEY_BASE_URL, apiKey: process.env.PARLEY_API_KEY, maxRetries: 0 });
const seen = {};

const conversation = await client.conversations.create({
  metadata: { client: 'typescript' },
  items: [{ type: 'message', role: 'user', content: 'ts item 0' }],
});
assert.match(conversation.id, /^conv_[0-9a-f]{32}$/);
assert.equal(conversation.object, 'conversation');
assert.deepEqual(conversation.metadata, { client: 'typescript' });
seen.conversation = conversation.id;

const added = await client.conversations.items.create(conversation.id, {
  items: [1, 2, 3, 4].map((i) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text: `ts item ${i}` }] })),
});
assert.equal(added.data.length, 4);

// Pages of 2, oldest first: the SDK follows last_id while has_more.
const texts = [];
for await (const item of client.conversations.items.list(conversation.id, { limit: 2, order: 'asc' })) {
  texts.push(item.content[0].text);
}
assert.deepEqual(texts, [0, 1, 2, 3, 4].map((i) => `ts item ${i}`));
seen.paged = texts.length;

const response = await client.responses.create({ model: 'gpt-4o-mini', conversation: conversation.id, input: 'Hello from TypeScript' });
assert.match(response.id, /^resp_/);
assert.equal(response.status, 'completed');
seen.output_text = response.output_text;

const deltas = [];
let completed;
const stream = await client.responses.create({ model: 'gpt-4o-mini', conversation: conversation.id, input: 'Stream it', stream: true });
for await (const event of stream) {
  if (event.type === 'response.output_text.delta') deltas.push(event.delta);
  if (event.type === 'response.completed') completed = event.response;
  assert.notEqual(event.type, 'error');
}
assert.ok(completed, 'response.completed arrived');
seen.deltas = deltas;
seen.streamed_text = completed.output[0].content[0].text;

const retrieved = await client.responses.retrieve(completed.id);
assert.equal(retrieved.output_text, seen.streamed_text);

const deleted = await client.conversations.delete(conversation.id);
assert.equal(deleted.deleted, true);
try {
  await client.conversations.retrieve(conversation.id);
  assert.fail('a deleted conversation was found');
} catch (error) {
  assert.ok(error instanceof OpenAI.NotFoundError, `NotFoundError expected, got ${error}`);
  seen.not_found = error.error?.type;
}
console.log(JSON.stringify(seen));
