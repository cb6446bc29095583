// What both JavaScript checks of the sandbox share (sdk.mjs, people.mjs):
// starting and stopping `notion-sweep sandbox`, one line per check, the
// comparisons, the keys the SDK's types require, and the SDK's errors.

import { spawn } from "node:child_process";
import { APIResponseError, isNotionClientError } from "@notionhq/client";

// ------------------------------------------------------------- the sandbox

/** Every sandbox started, so that the watchdog can stop them too. */
export const children = [];

export function startSandbox(binary, args) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(binary, ["sandbox", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    children.push(child);
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectStart(new Error(`the sandbox did not print its URL in 10 s\n${out}${err}`));
    }, 10_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out);
      const token = /Token:\s+(\S+)/.exec(out);
      if (url && token) {
        clearTimeout(timer);
        resolveStart({ child, url: url[1], token: token[1] });
      }
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      rejectStart(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`the sandbox exited (${code}) before it was ready\n${out}${err}`));
    });
  });
}

export function stopSandbox(sb) {
  if (!sb || sb.child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const hard = setTimeout(() => sb.child.kill("SIGKILL"), 3_000);
    sb.child.once("exit", () => {
      clearTimeout(hard);
      done();
    });
    sb.child.kill("SIGINT");
  });
}

// ------------------------------------------------------------------ checks

/** How many checks ran, and how many failed. */
export const tally = { count: 0, failures: 0 };

export async function check(name, fn) {
  tally.count++;
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    tally.failures++;
    const detail = e && e.stack && !(e instanceof Mismatch) ? e.stack : String(e && e.message);
    console.log(`FAIL ${name}: ${detail}`);
  }
}

export class Mismatch extends Error {}

export function expect(cond, message) {
  if (!cond) throw new Mismatch(message);
}

/** JSON with object keys sorted: key order carries no meaning in JSON. */
export function canon(v) {
  return JSON.stringify(v, (_, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]))
      : x,
  );
}

export function eq(actual, expected, what) {
  const a = canon(actual);
  const b = canon(expected);
  expect(a === b, `${what}: expected ${b}, got ${a}`);
}

/** Keys every full object of this type has, from the SDK's own TypeScript types (5.26). */
export const REQUIRED = {
  database: [
    "object", "id", "title", "description", "parent", "is_inline", "in_trash", "archived",
    "is_locked", "created_time", "last_edited_time", "data_sources", "icon", "cover", "url",
    "public_url",
  ],
  data_source: [
    "object", "id", "title", "description", "parent", "database_parent", "is_inline", "in_trash",
    "archived", "created_time", "last_edited_time", "created_by", "last_edited_by", "properties",
    "icon", "cover", "url", "public_url",
  ],
  page: [
    "object", "id", "created_time", "last_edited_time", "in_trash", "archived", "is_archived",
    "is_locked", "url", "public_url", "parent", "properties", "icon", "cover", "created_by",
    "last_edited_by",
  ],
  list: ["object", "type", "page_or_data_source", "next_cursor", "has_more", "results"],
  rich_text: ["type", "text", "annotations", "plain_text", "href"],
  user: ["object", "id", "name", "avatar_url", "type"],
  error: ["object", "status", "code", "message"],
};

export function hasKeys(obj, kind, where) {
  const missing = REQUIRED[kind].filter((k) => !(k in obj));
  expect(missing.length === 0, `${where}: missing ${missing.join(", ")} (required by the SDK's ${kind} type)`);
}

export async function expectApiError(promise, status, code, what) {
  try {
    await promise;
  } catch (e) {
    expect(isNotionClientError(e), `${what}: not a NotionClientError: ${e}`);
    expect(APIResponseError.isAPIResponseError(e), `${what}: not an APIResponseError (${e.name}: ${e.message})`);
    eq(e.status, status, `${what}: status`);
    eq(e.code, code, `${what}: code`);
    expect(typeof e.message === "string" && e.message.length > 0, `${what}: empty message`);
    expect(typeof e.request_id === "string" && e.request_id.length > 0, `${what}: no request_id`);
    const body = JSON.parse(e.body);
    hasKeys(body, "error", `${what}: body`);
    eq(body.object, "error", `${what}: body.object`);
    return e;
  }
  throw new Mismatch(`${what}: the call succeeded, expected ${status} ${code}`);
}

/** Stops every sandbox and fails the run when the checks take longer than `ms`. */
export function watchdog(ms) {
  const timer = setTimeout(() => {
    console.log(`FAIL timeout: the checks took more than ${ms / 1000} s`);
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    process.exit(1);
  }, ms);
  timer.unref();
}
