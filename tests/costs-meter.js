// Runs inside workerd, in front of a built Worker (see `tracedEntry` in tests/helpers.mjs): counts
// what each request, cron run or queue batch costs on the platform's meters, from the calls the
// Worker makes on its bindings, and logs one line per invocation once its `waitUntil` work is done:
//
//   [costs] {"worker":"reader","what":"GET /posts/x","d1_queries":2,"d1_rows_read":14,…}
//
// D1's own `meta.rows_read`/`rows_written` are summed (what D1 bills); KV, R2 (class A: writes and
// lists; class B: reads), Queues and the Images binding are counted per call.
// Bindings are shared by every invocation of an isolate (and the Cache API and `fetch` are
// globals), so calls are counted for the invocation that started last: exact when invocations do
// not overlap (as in the benchmark's cost pass and the tests that read these lines); overlapping
// ones would share them. Nothing here changes what a call does.

export const COSTS_PREFIX = "[costs] ";

const ZERO = {
  d1_queries: 0,
  d1_rows_read: 0,
  d1_rows_written: 0,
  kv_reads: 0,
  kv_writes: 0,
  kv_deletes: 0,
  kv_lists: 0,
  r2_class_a: 0,
  r2_class_b: 0,
  cache_reads: 0,
  cache_writes: 0,
  cache_deletes: 0,
  queue_messages: 0,
  image_transforms: 0,
  subrequests: 0,
};

/** The invocation that calls are counted for. */
let current = null;

function addD1(result) {
  if (!current) return;
  current.d1_queries += 1;
  current.d1_rows_read += result?.meta?.rows_read ?? 0;
  current.d1_rows_written += result?.meta?.rows_written ?? 0;
}

const bound = (target, key) => {
  const value = Reflect.get(target, key);
  return typeof value === "function" && key !== "constructor" ? value.bind(target) : value;
};

/** The real statement behind a metered one (D1's batch() takes only real ones). */
const realStatement = new WeakMap();

function statement(stmt) {
  const metered = new Proxy(stmt, {
    get(target, key) {
      if (key === "bind") return (...args) => statement(target.bind(...args));
      if (key === "all" || key === "run") {
        return async (...args) => {
          const result = await target[key](...args);
          addD1(result);
          return result;
        };
      }
      if (key === "first") {
        // first() returns no meta: the same query through all(), its first row.
        return async (column) => {
          const result = await target.all();
          addD1(result);
          const row = result.results[0];
          if (row === undefined) return null;
          return column == null ? row : row[column];
        };
      }
      if (key === "raw") {
        return async (...args) => {
          if (current) current.d1_queries += 1;
          return target.raw(...args);
        };
      }
      return bound(target, key);
    },
  });
  realStatement.set(metered, stmt);
  return metered;
}

/**
 * Replaces `object[method]` with a counting one. The bindings themselves are patched, not wrapped:
 * the worker crate checks a binding's constructor, which a Proxy of R2 or KV does not pass.
 */
function patch(object, method, wrap) {
  const real = object[method];
  if (typeof real !== "function") return;
  object[method] = wrap(real.bind(object));
}

const count = (meter) => (real) => (...args) => {
  if (current) current[meter] += 1;
  return real(...args);
};

const KV = { get: "kv_reads", getWithMetadata: "kv_reads", put: "kv_writes", delete: "kv_deletes", list: "kv_lists" };
const R2 = { head: "r2_class_b", get: "r2_class_b", put: "r2_class_a", delete: "r2_class_a", list: "r2_class_a", createMultipartUpload: "r2_class_a" };
const QUEUE = { send: "queue_messages", sendBatch: "queue_messages" };

/** An Images transformer whose output counts as a transform (info() is not one). */
function transformer(t) {
  return new Proxy(t, {
    get(target, key) {
      if (key === "transform" || key === "draw") return (...args) => transformer(target[key](...args));
      if (key === "output") return count("image_transforms")(target.output.bind(target));
      return bound(target, key);
    },
  });
}

const patched = new WeakSet();

/** Meters `env`'s bindings (once per binding object) and the Cache API and `fetch` globals. */
function meterBindings(env, onStatement) {
  const meters = { CACHE: KV, MEDIA: R2, OUTBOX: QUEUE };
  for (const [name, methods] of Object.entries(meters)) {
    const binding = env[name];
    // Not a binding (a test binds a plain string to see a broken one fail): nothing to meter.
    if (!binding || typeof binding !== "object" || patched.has(binding)) continue;
    patched.add(binding);
    for (const [method, meter] of Object.entries(methods)) patch(binding, method, count(meter));
  }
  const db = env.DB;
  if (db && typeof db === "object" && !patched.has(db)) {
    patched.add(db);
    const realPrepare = db.prepare.bind(db);
    db.prepare = (sql) => {
      onStatement?.(sql);
      return statement(realPrepare(sql));
    };
    patch(db, "batch", (real) => async (statements) => {
      const results = await real(statements.map((s) => realStatement.get(s) ?? s));
      for (const result of results) addD1(result);
      return results;
    });
  }
  const images = env.IMAGES;
  if (images && typeof images === "object" && !patched.has(images)) {
    patched.add(images);
    patch(images, "input", (real) => (...args) => transformer(real(...args)));
  }
  if (!patched.has(caches.default)) {
    const cache = caches.default;
    patched.add(cache);
    patch(cache, "match", count("cache_reads"));
    patch(cache, "put", count("cache_writes"));
    patch(cache, "delete", count("cache_deletes"));
    globalThis.fetch = count("subrequests")(globalThis.fetch);
  }
}

/**
 * Runs one invocation (`run(env, ctx)`) with metered bindings (`onStatement` sees each SQL
 * statement D1 is asked to prepare); logs its costs once it and its `waitUntil` work are done.
 */
export function metered(worker, what, env, ctx, onStatement, run) {
  const costs = { ...ZERO };
  current = costs;
  const pending = [];
  const meteredCtx = ctx && new Proxy(ctx, {
    get(target, key) {
      if (key === "waitUntil") {
        return (promise) => {
          pending.push(Promise.resolve(promise).catch(() => {}));
          return target.waitUntil(promise);
        };
      }
      return bound(target, key);
    },
  });
  meterBindings(env, onStatement);
  const result = Promise.resolve().then(() => run(env, meteredCtx));
  const logged = result
    .catch(() => {})
    .then(async () => {
      // waitUntil work may add more while it runs.
      for (let seen = 0; seen < pending.length; seen = pending.length) await Promise.all(pending.slice(seen));
      console.log(COSTS_PREFIX + JSON.stringify({ worker, what, ...costs }));
      if (current === costs) current = null;
    });
  // The response goes as soon as it is ready; the line is logged after the waitUntil work.
  ctx?.waitUntil(logged);
  return result;
}
