// Drives the Anthropic simulator with Anthropic's official TypeScript SDK, used as its users use it
// (`new Anthropic({apiKey, baseURL})`, the SDK's own default headers), and checks every answer field by field
// against the documented shapes. Prints one JSON summary line on stdout; exits 1 when any check failed.
//
// Environment: SIM_BASE_URL (the simulator), SIM_API_KEY (the key it requires).
import Anthropic from '@anthropic-ai/sdk';
import { VERSION } from '@anthropic-ai/sdk/version';

const baseURL = process.env.SIM_BASE_URL;
const apiKey = process.env.SIM_API_KEY;
if (!baseURL || !apiKey) {
  console.error('set SIM_BASE_URL and SIM_API_KEY');
  process.exit(2);
}
const MODEL = 'claude-haiku-5-5';
const PAGE = 2; // small pages so every list walks more than one

// What the SDK really sends: recorded from the transport, not configured.
const sent = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  sent.push({ method: init?.method ?? 'GET', path: url.pathname, query: url.search, headers });
  return realFetch(input, init);
};

const checks = {};
function call(name) {
  return (checks[name] ??= { ok: true, checked: [], failures: [] });
}
function check(name, what, condition, detail) {
  const c = call(name);
  c.checked.push(what);
  if (!condition) {
    c.ok = false;
    c.failures.push(detail === undefined ? what : `${what}: ${JSON.stringify(detail)}`);
  }
}
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    const c = call(name);
    c.ok = false;
    c.failures.push(`threw ${e?.constructor?.name}: ${e?.message}`);
    console.error(name, e);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTime = (v) => typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v));
const isTimeOrNull = (v) => v === null || isTime(v);
const isCount = (v) => Number.isInteger(v) && v >= 0;
const sameKeys = (o, keys) => o !== null && typeof o === 'object' && JSON.stringify(Object.keys(o).sort()) === JSON.stringify([...keys].sort());

const BATCH_KEYS = ['id', 'type', 'processing_status', 'request_counts', 'created_at', 'expires_at', 'ended_at',
  'cancel_initiated_at', 'archived_at', 'results_url'];
const COUNT_KEYS = ['processing', 'succeeded', 'errored', 'canceled', 'expired'];

function checkBatch(name, b) {
  check(name, 'batch has every documented field', BATCH_KEYS.every((k) => k in b), Object.keys(b));
  check(name, 'id is msgbatch_...', typeof b.id === 'string' && b.id.startsWith('msgbatch_'), b.id);
  check(name, "type is 'message_batch'", b.type === 'message_batch', b.type);
  check(name, 'processing_status is in_progress|canceling|ended',
    ['in_progress', 'canceling', 'ended'].includes(b.processing_status), b.processing_status);
  check(name, 'request_counts has exactly the five keys', sameKeys(b.request_counts, COUNT_KEYS), b.request_counts);
  check(name, 'request_counts are non-negative integers',
    COUNT_KEYS.every((k) => isCount(b.request_counts?.[k])), b.request_counts);
  check(name, 'created_at and expires_at are RFC 3339', isTime(b.created_at) && isTime(b.expires_at),
    [b.created_at, b.expires_at]);
  check(name, 'expires_at is 24 h after created_at',
    Date.parse(b.expires_at) - Date.parse(b.created_at) === 24 * 3600 * 1000, [b.created_at, b.expires_at]);
  check(name, 'ended_at, cancel_initiated_at, archived_at are RFC 3339 or null',
    isTimeOrNull(b.ended_at) && isTimeOrNull(b.cancel_initiated_at) && isTimeOrNull(b.archived_at),
    [b.ended_at, b.cancel_initiated_at, b.archived_at]);
  const ended = b.processing_status === 'ended';
  check(name, 'results_url is a URL once ended, null before',
    ended ? typeof b.results_url === 'string' && b.results_url.endsWith(`/v1/messages/batches/${b.id}/results`)
      : b.results_url === null, b.results_url);
  check(name, 'ended_at is set exactly when ended', ended === (b.ended_at !== null), [b.processing_status, b.ended_at]);
  if (!ended) {
    const c = b.request_counts;
    check(name, 'no mid-batch progress: only processing counts before the end',
      c.succeeded + c.errored + c.canceled + c.expired === 0, c);
  }
}

const BLOCK_TYPES = ['text', 'thinking', 'redacted_thinking', 'tool_use'];
const STOP_REASONS = ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal',
  'model_context_window_exceeded'];

function checkMessage(name, m) {
  check(name, 'message id is msg_...', typeof m.id === 'string' && m.id.startsWith('msg'), m.id);
  check(name, "type is 'message', role 'assistant'", m.type === 'message' && m.role === 'assistant', [m.type, m.role]);
  check(name, 'model is the requested one', m.model === MODEL, m.model);
  check(name, 'content is an array of known blocks',
    Array.isArray(m.content) && m.content.every((b) => BLOCK_TYPES.includes(b.type)), m.content?.map((b) => b.type));
  check(name, 'text blocks carry a string',
    m.content.filter((b) => b.type === 'text').every((b) => typeof b.text === 'string'));
  check(name, 'thinking blocks carry thinking and signature strings',
    m.content.filter((b) => b.type === 'thinking')
      .every((b) => typeof b.thinking === 'string' && typeof b.signature === 'string'));
  check(name, 'stop_reason is documented', STOP_REASONS.includes(m.stop_reason), m.stop_reason);
  check(name, 'stop_sequence is a string or null', m.stop_sequence === null || typeof m.stop_sequence === 'string',
    m.stop_sequence);
  const u = m.usage ?? {};
  check(name, 'usage.input_tokens and output_tokens are counts', isCount(u.input_tokens) && isCount(u.output_tokens), u);
  check(name, 'usage.cache_creation_input_tokens and cache_read_input_tokens are counts or null',
    [u.cache_creation_input_tokens, u.cache_read_input_tokens].every((v) => v === null || isCount(v)), u);
  if ('service_tier' in u) {
    check(name, 'usage.service_tier is standard|priority|batch or null',
      u.service_tier === null || ['standard', 'priority', 'batch'].includes(u.service_tier), u.service_tier);
  }
}

async function expectApiError(name, what, ErrorClass, status, type, fn) {
  try {
    await fn();
    check(name, what, false, 'no error raised');
  } catch (e) {
    check(name, `${what}: raises ${ErrorClass.name}`, e instanceof ErrorClass, e?.constructor?.name);
    check(name, `${what}: status ${status}`, e?.status === status, e?.status);
    check(name, `${what}: error.type is 'error'`, e?.error?.type === 'error', e?.error);
    check(name, `${what}: error.error.type is ${type}`, e?.error?.error?.type === type, e?.error);
    check(name, `${what}: error.error.message is a string`, typeof e?.error?.error?.message === 'string', e?.error);
    check(name, `${what}: requestID from the request-id header`,
      typeof e?.requestID === 'string' && e.requestID.length > 0, e?.requestID);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function untilEnded(client, id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = await client.messages.batches.retrieve(id);
    if (b.processing_status === 'ended') return b;
    if (Date.now() > deadline) throw new Error(`batch ${id} did not end within 60 s`);
    await sleep(250);
  }
}

const request = (customId, text) => ({
  custom_id: customId,
  params: { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: text }] },
});

const client = new Anthropic({ apiKey, baseURL });
const created = [];
let mainBatch;
let canceledBatch;

await step('batches.create', async () => {
  mainBatch = await client.messages.batches.create({
    requests: [request('fidelity-1', 'The app crashes on start'), request('fidelity-2', 'I was charged twice'),
      request('fidelity-3', 'Please add dark mode')],
  });
  created.push(mainBatch.id);
  checkBatch('batches.create', mainBatch);
  check('batches.create', 'a new batch is in_progress', mainBatch.processing_status === 'in_progress',
    mainBatch.processing_status);
  check('batches.create', 'request_counts.processing is the number of requests', mainBatch.request_counts.processing === 3,
    mainBatch.request_counts);
  // more batches, so that listing with a small page takes several pages
  for (let i = 0; i < 3; i++) {
    const b = await client.messages.batches.create({ requests: [request(`extra-${i}`, `extra ${i}`)] });
    created.push(b.id);
    checkBatch('batches.create', b);
  }
});

await step('batches.cancel', async () => {
  const b = await client.messages.batches.create({ requests: [request('to-cancel-1', 'cancel me'),
    request('to-cancel-2', 'cancel me too')] });
  created.push(b.id);
  const c = await client.messages.batches.cancel(b.id);
  checkBatch('batches.cancel', c);
  check('batches.cancel', 'the same batch comes back', c.id === b.id, [c.id, b.id]);
  check('batches.cancel', 'processing_status is canceling or ended',
    ['canceling', 'ended'].includes(c.processing_status), c.processing_status);
  check('batches.cancel', 'cancel_initiated_at is set', isTime(c.cancel_initiated_at), c.cancel_initiated_at);
  canceledBatch = await untilEnded(client, b.id);
  checkBatch('batches.cancel', canceledBatch);
  const n = canceledBatch.request_counts;
  check('batches.cancel', 'once ended, the counts add up to the requests',
    n.processing === 0 && n.succeeded + n.errored + n.canceled + n.expired === 2, n);
  check('batches.cancel', 'canceled before processing: requests counted canceled', n.canceled === 2, n);
});

await step('batches.retrieve', async () => {
  const ended = await untilEnded(client, mainBatch.id);
  checkBatch('batches.retrieve', ended);
  check('batches.retrieve', 'the same batch comes back', ended.id === mainBatch.id);
  check('batches.retrieve', 'created_at unchanged', ended.created_at === mainBatch.created_at);
  const n = ended.request_counts;
  check('batches.retrieve', 'once ended, processing is 0 and the counts add up',
    n.processing === 0 && n.succeeded + n.errored + n.canceled + n.expired === 3, n);
  await expectApiError('batches.retrieve', 'an unknown batch', Anthropic.NotFoundError, 404, 'not_found_error',
    () => client.messages.batches.retrieve('msgbatch_does_not_exist'));
});

await step('batches.list', async () => {
  const before = sent.length;
  const seen = [];
  for await (const b of client.messages.batches.list({ limit: PAGE })) {
    checkBatch('batches.list', b);
    seen.push(b);
  }
  const pages = sent.slice(before).filter((r) => r.path === '/v1/messages/batches' && r.method === 'GET').length;
  check('batches.list', 'auto-pagination fetched more than one page', pages > 1, pages);
  check('batches.list', 'every batch created here is listed', created.every((id) => seen.some((b) => b.id === id)),
    { created, seen: seen.map((b) => b.id) });
  check('batches.list', 'no batch listed twice', new Set(seen.map((b) => b.id)).size === seen.length);
  check('batches.list', 'newest first', seen.every((b, i) => i === 0 || Date.parse(seen[i - 1].created_at) >= Date.parse(b.created_at)));
  const page = await client.messages.batches.list({ limit: PAGE });
  check('batches.list', 'a page has data, has_more, first_id, last_id',
    Array.isArray(page.data) && typeof page.has_more === 'boolean' && 'first_id' in page && 'last_id' in page,
    Object.keys(page));
  check('batches.list', 'a page holds at most limit items', page.data.length <= PAGE, page.data.length);
  check('batches.list', 'first_id and last_id name the ends of the page',
    page.first_id === page.data[0]?.id && page.last_id === page.data[page.data.length - 1]?.id);
});

await step('batches.results', async () => {
  const lines = [];
  for await (const line of await client.messages.batches.results(mainBatch.id)) lines.push(line);
  check('batches.results', 'one line per request', lines.length === 3, lines.length);
  check('batches.results', 'custom_ids are those sent',
    JSON.stringify(lines.map((l) => l.custom_id).sort()) === JSON.stringify(['fidelity-1', 'fidelity-2', 'fidelity-3']),
    lines.map((l) => l.custom_id));
  check('batches.results', 'each line is {custom_id, result}', lines.every((l) => sameKeys(l, ['custom_id', 'result'])),
    lines.map((l) => Object.keys(l)));
  check('batches.results', 'result.type is succeeded|errored|canceled|expired',
    lines.every((l) => ['succeeded', 'errored', 'canceled', 'expired'].includes(l.result?.type)));
  for (const l of lines) {
    if (l.result.type === 'succeeded') checkMessage('batches.results', l.result.message);
    if (l.result.type === 'errored') {
      check('batches.results', 'errored: result.error is {type: error, error: {type, message}}',
        l.result.error?.type === 'error' && typeof l.result.error?.error?.type === 'string'
          && typeof l.result.error?.error?.message === 'string', l.result.error);
    }
  }
  check('batches.results', 'the requests succeeded', lines.filter((l) => l.result.type === 'succeeded').length === 3,
    lines.map((l) => l.result.type));
  const succeeded = lines.find((l) => l.result.type === 'succeeded');
  if (succeeded && 'service_tier' in succeeded.result.message.usage) {
    check('batches.results', "a batch result's usage.service_tier is batch",
      succeeded.result.message.usage.service_tier === 'batch', succeeded.result.message.usage.service_tier);
  }
  const canceled = [];
  for await (const line of await client.messages.batches.results(canceledBatch.id)) canceled.push(line);
  check('batches.results', "a canceled batch's lines are {type: canceled}",
    canceled.length === 2 && canceled.every((l) => sameKeys(l.result, ['type']) && l.result.type === 'canceled'),
    canceled);
});

await step('batches.delete', async () => {
  const d = await client.messages.batches.delete(canceledBatch.id);
  check('batches.delete', "answer is {id, type: 'message_batch_deleted'}",
    sameKeys(d, ['id', 'type']) && d.id === canceledBatch.id && d.type === 'message_batch_deleted', d);
  await expectApiError('batches.delete', 'the deleted batch', Anthropic.NotFoundError, 404, 'not_found_error',
    () => client.messages.batches.retrieve(canceledBatch.id));
});

await step('messages.countTokens', async () => {
  const n = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'Hello, Claude' }] });
  check('messages.countTokens', 'answer is {input_tokens}', sameKeys(n, ['input_tokens']), n);
  check('messages.countTokens', 'input_tokens is a positive integer', Number.isInteger(n.input_tokens) && n.input_tokens > 0, n);
});

await step('messages.create', async () => {
  const m = await client.messages.create({ model: MODEL, max_tokens: 256,
    messages: [{ role: 'user', content: 'The export button does nothing' }] });
  checkMessage('messages.create', m);
  check('messages.create', '_request_id from the request-id header', typeof m._request_id === 'string' && m._request_id.length > 0,
    m._request_id);
});

const MODEL_KEYS = ['id', 'type', 'display_name', 'created_at', 'max_input_tokens', 'max_tokens', 'capabilities'];
const SUPPORT = (o) => o !== null && typeof o === 'object' && typeof o.supported === 'boolean';

function checkModel(name, m) {
  check(name, 'model has the documented fields', MODEL_KEYS.every((k) => k in m), Object.keys(m));
  check(name, "type is 'model'", m.type === 'model', m.type);
  check(name, 'id and display_name are strings', typeof m.id === 'string' && typeof m.display_name === 'string');
  check(name, 'created_at is RFC 3339', isTime(m.created_at), m.created_at);
  check(name, 'max_input_tokens and max_tokens are positive integers',
    Number.isInteger(m.max_input_tokens) && m.max_input_tokens > 0 && Number.isInteger(m.max_tokens) && m.max_tokens > 0,
    [m.max_input_tokens, m.max_tokens]);
  if ('lifecycle' in m) {
    check(name, 'lifecycle is active|deprecated|retired', ['active', 'deprecated', 'retired'].includes(m.lifecycle), m.lifecycle);
  }
  if ('retires_at' in m) check(name, 'retires_at is RFC 3339 or null', isTimeOrNull(m.retires_at), m.retires_at);
  if ('deprecated_at' in m) check(name, 'deprecated_at is RFC 3339 or null', isTimeOrNull(m.deprecated_at), m.deprecated_at);
  const c = m.capabilities ?? {};
  for (const k of ['batch', 'structured_outputs', 'effort', 'thinking', 'image_input', 'pdf_input']) {
    check(name, `capabilities.${k}.supported is a boolean`, SUPPORT(c[k]), c[k]);
  }
  check(name, 'capabilities.batch is supported', c.batch?.supported === true);
  check(name, 'effort has low, medium, high, max (and xhigh or null)',
    ['low', 'medium', 'high', 'max'].every((l) => SUPPORT(c.effort?.[l])) && (c.effort?.xhigh === null || SUPPORT(c.effort?.xhigh)),
    c.effort);
  check(name, 'thinking.types has adaptive and enabled',
    SUPPORT(c.thinking?.types?.adaptive) && SUPPORT(c.thinking?.types?.enabled), c.thinking);
  check(name, 'no effort level without effort support',
    c.effort?.supported || ['low', 'medium', 'high', 'max'].every((l) => !c.effort?.[l]?.supported), c.effort);
}

await step('models.list', async () => {
  const before = sent.length;
  const seen = [];
  for await (const m of client.models.list({ limit: 3 })) {
    checkModel('models.list', m);
    seen.push(m);
  }
  const pages = sent.slice(before).filter((r) => r.path === '/v1/models').length;
  check('models.list', 'auto-pagination fetched more than one page', pages > 1, pages);
  check('models.list', 'no model listed twice', new Set(seen.map((m) => m.id)).size === seen.length);
  check('models.list', 'newest first by created_at',
    seen.every((m, i) => i === 0 || Date.parse(seen[i - 1].created_at) >= Date.parse(m.created_at)),
    seen.map((m) => [m.id, m.created_at]));
  check('models.list', `lists ${MODEL}`, seen.some((m) => m.id === MODEL), seen.map((m) => m.id));
  check('models.list', 'lists no retired model by default', seen.every((m) => m.lifecycle !== 'retired'),
    seen.map((m) => [m.id, m.lifecycle]));
  call('models.list').count = seen.length;
});

await step('models.retrieve', async () => {
  const byId = await client.models.retrieve(MODEL);
  checkModel('models.retrieve', byId);
  check('models.retrieve', 'by id: answers that id', byId.id === MODEL, byId.id);
  check('models.retrieve', `${MODEL}: structured outputs, effort low..max, adaptive thinking`,
    byId.capabilities.structured_outputs.supported && byId.capabilities.effort.low.supported
      && byId.capabilities.effort.max.supported && byId.capabilities.thinking.types.adaptive.supported, byId.capabilities);
  const byAlias = await client.models.retrieve('claude-haiku-4-5');
  checkModel('models.retrieve', byAlias);
  check('models.retrieve', 'by alias: answers the id it names', byAlias.id === 'claude-haiku-4-5-20251001', byAlias.id);
  await expectApiError('models.retrieve', 'an unknown model', Anthropic.NotFoundError, 404, 'not_found_error',
    () => client.models.retrieve('claude-no-such-model'));
});

await step('authentication', async () => {
  const wrong = new Anthropic({ apiKey: `${apiKey}-wrong`, baseURL, maxRetries: 0 });
  await expectApiError('authentication', 'a wrong key', Anthropic.AuthenticationError, 401, 'authentication_error',
    () => wrong.models.retrieve(MODEL));
});

// What the SDK sent on the wire, on every call it made.
const auth = new Set(sent.map((r) => (r.headers.get('authorization') ?? '').replace(/^(Bearer) .*/, '$1 <key>')));
const xApiKey = sent.some((r) => r.headers.has('x-api-key'));
const versions = new Set(sent.map((r) => r.headers.get('anthropic-version')));
check('headers', 'every call sent Authorization: Bearer <key>', auth.size === 1 && auth.has('Bearer <key>'), [...auth]);
check('headers', 'no call sent x-api-key', !xApiKey);
check('headers', 'every call sent anthropic-version 2026-10-21', versions.size === 1 && versions.has('2026-10-21'),
  [...versions]);

const ok = Object.values(checks).every((c) => c.ok);
const summary = {
  ok,
  sdk_version: VERSION,
  http_calls: sent.length,
  headers: { authorization: [...auth], x_api_key: xApiKey, anthropic_version: [...versions] },
  checks: Object.fromEntries(Object.entries(checks).map(([k, c]) =>
    [k, { ok: c.ok, checked: c.checked.length, failures: c.failures, ...(c.count === undefined ? {} : { count: c.count }) }])),
};
console.log(JSON.stringify(summary));
process.exit(ok ? 0 : 1);
