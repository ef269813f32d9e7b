// Runs the Step Functions executions of one StepFunctionsEmulator (io.batchline.offline.sfn) with
// aws-local-stepfunctions, each from its unmodified ASL definition, all in this one Node process: starting Node and
// importing and validating the library cost ~0.8 s of CPU, which one process per execution paid every time.
//
// Protocol: the first stdin line is the host's settings {libraryPath, lambdaEndpoint, waitTimeScale, retryIntervalScale};
// each later line is a command:
//   {"op":"start", "id":ID, "definition":{...}, "input":..., "context":{...}}   runs an execution
//   {"op":"abort", "id":ID}                                                     aborts it
// stdin EOF (the parent died or closed the emulator) exits at once.
// stdout: one JSON object per line, each naming its execution: {"id":ID, "kind":"event", "event":{...library
// event...}, "invocation":{...}?} and finally {"id":ID, "kind":"result", "status":"SUCCEEDED"|"FAILED"|"ABORTED"|
// "TIMED_OUT", "output"|"error","cause"}.
// Script location does not matter: the library is imported by absolute path (libraryPath).
import http from 'node:http';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { registerHooks } from 'node:module';

// Lines go out in the order they are written; stdout to a pipe is asynchronous, so the process never exits on
// its own while it runs executions (only when stdin closes: then nobody reads it any more).
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// One execution's failure must not end the others: anything that escapes is reported, not fatal.
process.on('uncaughtException', (e) => process.stderr.write(`sfn-runner: uncaught ${e?.stack ?? e}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`sfn-runner: unhandled ${e?.stack ?? e}\n`));

const rl = readline.createInterface({ input: process.stdin });
const lines = rl[Symbol.asyncIterator]();
const first = await lines.next();
if (first.done) process.exit(2);
const job = JSON.parse(first.value);

// --- $$.State (Name, EnteredTime, RetryCount) ----------------------------------------------------
// AWS puts the current state into the context object; aws-local-stepfunctions 3.0.0 only passes what it was
// given (Execution, StateMachine), so a Parameters path like $$.State.RetryCount would fail. The ASL passes
// these to the functions as the idempotency attempt identity, so the library's StateExecutor.execute is given
// them on load: EnteredTime is fixed when the state is entered (kept across its retries, as in AWS) and
// RetryCount is the retries so far. StepFunctionsEmulatorTest and the end-to-end runs exercise it.
const libraryUrl = pathToFileURL(job.libraryPath).href;
const STATE_ANCHOR = '  async execute(input, context, options) {\n    const rawInput = cloneJSON(input);';
const STATE_CONTEXT = '  async execute(input, context, options) {\n'
  + '    this.enteredTime ??= new Date().toISOString();\n'
  + '    context = { ...context, State: { Name: this.stateName, EnteredTime: this.enteredTime,'
  + ' RetryCount: this.retrierAttempts.reduce((n, k) => n + k, 0) } };\n'
  + '    const rawInput = cloneJSON(input);';
let stateContext = false;
registerHooks({
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (url !== libraryUrl) return loaded;
    const src = typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
    if (!src.includes(STATE_ANCHOR)) return loaded;
    stateContext = true;
    return { ...loaded, source: src.replace(STATE_ANCHOR, STATE_CONTEXT) };
  },
});

const { StateMachine, ExecutionAbortedError, ExecutionTimeoutError } = await import(libraryUrl);
const libraryProblem = stateContext ? null
  : 'sfn-runner: cannot provide $$.State to this aws-local-stepfunctions build (expected 3.0.0)';

// --- Time compression -------------------------------------------------------------------------
// The library's waitTimeOverrides/retryIntervalOverrides take fixed milliseconds per state, which
// cannot express SecondsPath/TimestampPath waits or exponential backoff. Instead, timers started by
// the library's sleep() are scaled: the caller frame tells a Wait state (WaitStateAction.execute)
// from a retry back-off (StateExecutor.execute). Task TimeoutSeconds and the execution timeout are
// not sleep() timers and stay real-time. Pinned to aws-local-stepfunctions 3.0.0 (function names
// in its unminified ESM build); StepFunctionsEmulatorTest proves both scalings.
const waitScale = job.waitTimeScale ?? 1;
const retryScale = job.retryIntervalScale ?? 1;
if (waitScale !== 1 || retryScale !== 1) {
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = function (fn, ms, ...args) {
    if (typeof ms === 'number' && ms > 0) {
      const saved = Error.stackTraceLimit;
      Error.stackTraceLimit = 12;
      const stack = new Error().stack.split('\n');
      Error.stackTraceLimit = saved;
      const i = stack.findIndex((l) => /at sleep \(/.test(l));
      if (i >= 0 && i + 1 < stack.length) {
        if (stack[i + 1].includes('WaitStateAction.execute')) ms = ms * waitScale;
        else if (stack[i + 1].includes('StateExecutor.execute')) ms = ms * retryScale;
      }
    }
    return realSetTimeout.call(this, fn, ms, ...args);
  };
}

// --- Lambda Task states -> the LambdaHost's Invoke API ----------------------------------------
const endpoint = new URL(job.lambdaEndpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// Lambda errors become Errors whose name is the Lambda errorType (Retry/Catch match on it) and whose
// message is the error payload as JSON, which is what AWS puts into Cause for Lambda function errors.
function lambdaError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

function invokeLambda(resource, payload) {
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    // No client timeout here on purpose: the Task's TimeoutSeconds (library) and the function's own
    // timeout (LambdaHost) bound the call, as on AWS.
    const req = http.request({
      host: endpoint.hostname, port: endpoint.port, method: 'POST', agent,
      path: `/2015-03-31/functions/${encodeURIComponent(resource)}/invocations`,
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-amz-invocation-type': 'RequestResponse' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => reject(lambdaError('Lambda.SdkClientException', String(e))));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200 && res.headers['x-amz-function-error']) {
          let type = 'Lambda.Unknown';
          try { type = JSON.parse(text).errorType || type; } catch { /* keep Lambda.Unknown: payload is not JSON */ }
          reject(lambdaError(type, text));
        } else if (res.statusCode === 200) {
          try { resolve(text.length === 0 ? null : JSON.parse(text)); }
          catch (e) { reject(lambdaError('Lambda.Unknown', `function returned invalid JSON: ${text.slice(0, 200)}`)); }
        } else {
          let type = 'ServiceException';
          try { type = (JSON.parse(text).__type || JSON.parse(text).Type || type); } catch { /* keep default */ }
          if (res.statusCode === 429) type = 'TooManyRequestsException';
          reject(lambdaError(`Lambda.${String(type).replace(/^.*#/, '')}`, text));
        }
      });
    });
    req.on('error', (e) => reject(lambdaError('Lambda.SdkClientException', String(e))));
    req.end(body);
  });
}

const isLambdaArn = (r) => typeof r === 'string' && /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:/.test(r);

// A definition is validated once (the library's ASL validation costs ~0.2 s of CPU), then run many times.
const machines = new Map(); // definition JSON -> { sm, taskStates }
function machine(definition) {
  const key = JSON.stringify(definition);
  let m = machines.get(key);
  if (!m) {
    const taskStates = new Map();
    (function collect(states) {
      for (const [name, s] of Object.entries(states || {})) {
        if (s.Type === 'Task') taskStates.set(name, s);
        if (s.Type === 'Map') collect((s.ItemProcessor ?? s.Iterator)?.States);
        if (s.Type === 'Parallel') for (const b of s.Branches || []) collect(b.States);
      }
    })(definition.States);
    m = { sm: new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }), taskStates };
    machines.set(key, m);
  }
  return m;
}

const running = new Map(); // id -> the library's execution (abort)

async function runExecution(id, definition, input, context) {
  const send = (obj) => emit({ id, ...obj });
  let exec;
  let taskStates;
  // Invocation records for the history (LambdaFunctionScheduled input / LambdaFunctionSucceeded output).
  // Handler calls for a state happen synchronously right after that state's StateEntered/StateRetried
  // event is dispatched, so the k-th call for a state name belongs to its k-th such event.
  const pendingCalls = new Map(); // stateName -> [record]
  const boundCalls = new Map(); // stateName|index -> record
  const taskResourceLocalHandlers = {};
  try {
    if (libraryProblem) throw new Error(libraryProblem);
    const m = machine(definition);
    taskStates = m.taskStates;
    for (const [name, s] of taskStates) {
      if (!isLambdaArn(s.Resource)) continue;
      taskResourceLocalHandlers[name] = (stateInput) => {
        const rec = { input: stateInput, done: false };
        if (!pendingCalls.has(name)) pendingCalls.set(name, []);
        pendingCalls.get(name).push(rec);
        return invokeLambda(s.Resource, stateInput).then((out) => { rec.output = out; rec.done = true; return out; });
      };
    }
    exec = m.sm.run(input, { overrides: { taskResourceLocalHandlers }, context });
  } catch (e) {
    send({ kind: 'result', status: 'FAILED', error: 'States.Runtime', cause: String(e.message ?? e) });
    return;
  }
  running.set(id, exec);

  const pump = (async () => {
    for await (const e of exec.eventLogs) {
      const out = { kind: 'event', event: e };
      const st = e.state;
      if (st && st.type === 'Task' && taskResourceLocalHandlers[st.name]) {
        const key = `${st.name}|${e.index ?? ''}`;
        if (e.type === 'StateEntered' || e.type === 'StateRetried') {
          const rec = (pendingCalls.get(st.name) || []).shift();
          if (rec) { boundCalls.set(key, rec); out.invocation = { input: rec.input }; }
        } else if (e.type === 'StateExited' || e.type === 'StateFailed') {
          const rec = boundCalls.get(key);
          if (rec) {
            out.invocation = rec.done ? { output: rec.output } : { failed: true };
            if (e.type === 'StateExited' || rec.done) boundCalls.delete(key);
          }
        }
        if (e.type === 'StateEntered' || e.type === 'StateRetried') {
          out.resource = taskStates.get(st.name).Resource;
          out.timeoutSeconds = taskStates.get(st.name).TimeoutSeconds ?? null;
        }
      }
      send(out);
    }
  })();

  let result;
  try {
    const output = await exec.result;
    result = { kind: 'result', status: 'SUCCEEDED', output: output ?? null };
  } catch (e) {
    if (e instanceof ExecutionAbortedError) result = { kind: 'result', status: 'ABORTED' };
    else if (e instanceof ExecutionTimeoutError) result = { kind: 'result', status: 'TIMED_OUT', error: 'States.Timeout', cause: 'execution timed out' };
    else {
      const c = e.cause ?? e;
      result = { kind: 'result', status: 'FAILED', error: c.name ?? 'Error', cause: c.message ?? String(c) };
    }
  }
  try {
    await pump;
  } catch (e) {
    result = { kind: 'result', status: 'FAILED', error: 'States.Runtime', cause: `sfn-runner: ${e?.message ?? e}` };
  }
  running.delete(id);
  send(result);
}

for await (const line of lines) {
  if (line.trim() === '') continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    process.stderr.write(`sfn-runner: not a command: ${line.slice(0, 200)}\n`);
    continue;
  }
  if (cmd.op === 'start') runExecution(cmd.id, cmd.definition, cmd.input, cmd.context);
  else if (cmd.op === 'abort') running.get(cmd.id)?.abort();
}
// stdin closed: the parent is gone or closed the emulator, nobody will read our output
process.exit(0);
