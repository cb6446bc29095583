// Conformance of the sandbox's users, people and multi_select properties
// with Notion's official JavaScript SDK.
//
//   node people.mjs <path of the notion-sweep binary>
//
// Starts `notion-sweep sandbox --port 0` on a board written here: a
// workspace with people and a bot, and a data source with a multi_select
// (Tags), a people property (Assignee) and a checkbox (On hold). Then what an
// integration that assigns and tags tasks does: read the schema, list the
// users, query with multi_select, people and checkbox filters nested as a
// sweep nests them (results compared with an evaluation of the board written
// here), read a people value whole and as a paginated property item, write
// tags and assignees as Notion takes them (and see a user object sent back
// as read refused), and filter on last_edited_time after a write.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  APIErrorCode,
  Client,
  collectPaginatedAPI,
  isFullDataSource,
  isFullPage,
  isFullUser,
} from "@notionhq/client";
import {
  check,
  eq,
  expect,
  expectApiError,
  hasKeys,
  startSandbox,
  stopSandbox,
  tally,
  watchdog,
} from "./harness.mjs";

const NOTION_VERSION = "2025-09-03";
const DATA_SOURCE_ID = "5c0ffee0-0000-4000-8000-000000000002";
const AS_OF = "2026-11-22";
const TAGS = ["pinned", "customer", "infra"];
const PEOPLE = [
  { id: "5c0ffee0-0000-4000-8000-0000000000a1", name: "Ada Lovelace", type: "person", email: "ada@acme.com" },
  { id: "5c0ffee0-0000-4000-8000-0000000000a2", name: "Grace Hopper", type: "person", email: "grace@acme.com" },
  { id: "5c0ffee0-0000-4000-8000-0000000000b1", name: "Deploy Bot", type: "bot" },
];
const ROWS = 48;

function pageId(i) {
  return `5c0ffee0-1111-4000-8000-${(0x100000000000 + i).toString(16).slice(-12)}`;
}

/** Row i: its tags, assignees (indexes into PEOPLE) and whether it is on hold. */
function row(i) {
  const tags = TAGS.filter((_, k) => (i >> k) & 1);
  const assignees = [[], [0], [1], [0, 1], [2], [1]][i % 6];
  return { tags, assignees, onHold: i % 5 === 0, status: i % 4 === 0 ? "Done" : "To Do" };
}

function makeBoard() {
  const pages = [];
  for (let i = 0; i < ROWS; i++) {
    const r = row(i);
    pages.push({
      id: pageId(i),
      last_edited_time: `2026-11-${String(1 + (i % 20)).padStart(2, "0")}T10:00:00Z`,
      properties: {
        Name: `Task ${i}`,
        Status: r.status,
        Tags: r.tags,
        // by email or by id: the board file takes both
        Assignee: r.assignees.map((k) => (i % 2 ? PEOPLE[k].id : PEOPLE[k].email ?? PEOPLE[k].id)),
        "On hold": r.onHold,
      },
    });
  }
  return {
    today: AS_OF,
    users: PEOPLE,
    databases: [{
      id: "5c0ffee0-0000-4000-8000-000000000001",
      title: "Assigned",
      data_sources: [{
        id: DATA_SOURCE_ID,
        name: "Assigned",
        properties: [
          { name: "Name", type: "title" },
          { name: "Status", type: "status", options: [{ name: "To Do" }, { name: "Done" }] },
          { name: "Tags", type: "multi_select", options: TAGS.map((name) => ({ name })) },
          { name: "Assignee", type: "people" },
          { name: "On hold", type: "checkbox" },
        ],
        pages,
      }],
    }],
  };
}

function title(page) {
  return page.properties.Name.title.map((t) => t.plain_text).join("");
}

/** The titles of rows 0..ROWS-1 for which `keep(row(i), i)` holds. */
function expected(keep) {
  const out = [];
  for (let i = 0; i < ROWS; i++) if (keep(row(i), i)) out.push(`Task ${i}`);
  return out.sort();
}

async function main() {
  const binary = process.argv[2];
  if (!binary) {
    console.error("usage: node people.mjs <path of the notion-sweep binary>");
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), "notion-sweep-people-"));
  const boardFile = join(dir, "board.json");
  writeFileSync(boardFile, JSON.stringify(makeBoard()));
  let sb;
  const started = Date.now();
  try {
    sb = await startSandbox(resolve(binary), ["--board", boardFile]);
    console.log(`sandbox at ${sb.url}; @notionhq/client against it: users, people, multi_select`);
    const notion = new Client({ auth: sb.token, baseUrl: sb.url, notionVersion: NOTION_VERSION, logLevel: "error" });
    const query = async (filter) => {
      const rows = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: DATA_SOURCE_ID, filter });
      rows.forEach((p) => expect(isFullPage(p), `isFullPage refused ${p.id}`));
      return rows.map(title).sort();
    };

    await check("dataSources.retrieve: a multi_select with its options, a people property", async () => {
      const ds = await notion.dataSources.retrieve({ data_source_id: DATA_SOURCE_ID });
      expect(isFullDataSource(ds), "isFullDataSource refused it");
      eq(ds.properties.Tags.type, "multi_select", "Tags.type");
      eq(ds.properties.Tags.multi_select.options.map((o) => o.name), TAGS, "Tags options");
      ds.properties.Tags.multi_select.options.forEach((o) =>
        expect(["id", "name", "color"].every((k) => typeof o[k] === "string"), `option ${o.name} lacks id/name/color`));
      eq(ds.properties.Assignee.type, "people", "Assignee.type");
      eq(ds.properties.Assignee.people, {}, "Assignee.people");
    });

    await check("users.list (paginated) and users.retrieve: the bot, the people with their emails, the other bot", async () => {
      const users = await collectPaginatedAPI(notion.users.list, { page_size: 2 });
      users.forEach((u) => expect(isFullUser(u), `isFullUser refused ${u.id}`));
      for (const p of PEOPLE) {
        const u = users.find((x) => x.id === p.id);
        expect(u, `${p.name} is not listed`);
        eq([u.name, u.type], [p.name, p.type], `${p.name}`);
        if (p.type === "person") eq(u.person, { email: p.email }, `${p.name}.person`);
      }
      const me = await notion.users.me({});
      expect(users.some((u) => u.id === me.id), "the integration's own bot is not listed");
      const grace = await notion.users.retrieve({ user_id: PEOPLE[1].id });
      eq(grace.person.email, "grace@acme.com", "users.retrieve");
    });

    await check("a page's people value: whole user objects; multi_select: {id, name, color}", async () => {
      const page = await notion.pages.retrieve({ page_id: pageId(3) });
      expect(isFullPage(page), "isFullPage refused it");
      const people = page.properties.Assignee.people;
      eq(people.map((u) => u.id), [PEOPLE[0].id, PEOPLE[1].id], "assignees");
      people.forEach((u) => {
        expect(isFullUser(u), `isFullUser refused ${u.id}`);
        hasKeys(u, "user", `people ${u.id}`);
      });
      eq(people[0].person, { email: "ada@acme.com" }, "person");
      eq(page.properties.Tags.multi_select.map((o) => o.name), ["pinned", "customer"], "tags");
      const bot = (await notion.pages.retrieve({ page_id: pageId(4) })).properties.Assignee.people[0];
      eq([bot.type, bot.name], ["bot", "Deploy Bot"], "a bot assignee");
    });

    await check("filters: multi_select contains/does_not_contain/is_empty, people contains/is_empty, checkbox", async () => {
      eq(await query({ property: "Tags", multi_select: { contains: "infra" } }), expected((r) => r.tags.includes("infra")), "contains");
      eq(await query({ property: "Tags", multi_select: { does_not_contain: "pinned" } }), expected((r) => !r.tags.includes("pinned")), "does_not_contain");
      eq(await query({ property: "Tags", multi_select: { is_empty: true } }), expected((r) => r.tags.length === 0), "is_empty");
      eq(await query({ property: "Assignee", people: { contains: PEOPLE[1].id } }), expected((r) => r.assignees.includes(1)), "people contains");
      eq(await query({ property: "Assignee", people: { does_not_contain: PEOPLE[0].id } }), expected((r) => !r.assignees.includes(0)), "people does_not_contain");
      eq(await query({ property: "Assignee", people: { is_empty: true } }), expected((r) => r.assignees.length === 0), "people is_empty");
      eq(await query({ property: "On hold", checkbox: { equals: true } }), expected((r) => r.onHold), "checkbox equals");
      eq(await query({ property: "On hold", checkbox: { does_not_equal: true } }), expected((r) => !r.onHold), "checkbox does_not_equal");
    });

    await check("filters nested as a sweep nests them (and of or), and three levels refused", async () => {
      const filter = {
        and: [
          { property: "Status", status: { equals: "To Do" } },
          { property: "Tags", multi_select: { does_not_contain: "pinned" } },
          { property: "On hold", checkbox: { equals: false } },
          { or: [
            { property: "Assignee", people: { contains: PEOPLE[0].id } },
            { property: "Assignee", people: { is_empty: true } },
          ] },
        ],
      };
      eq(
        await query(filter),
        expected((r) => r.status === "To Do" && !r.tags.includes("pinned") && !r.onHold && (r.assignees.includes(0) || r.assignees.length === 0)),
        "nested",
      );
      const deep = { and: [{ or: [{ and: [{ property: "On hold", checkbox: { equals: true } }] }] }] };
      await expectApiError(notion.dataSources.query({ data_source_id: DATA_SOURCE_ID, filter: deep }), 400, APIErrorCode.ValidationError, "three levels");
      await expectApiError(
        notion.dataSources.query({ data_source_id: DATA_SOURCE_ID, filter: { property: "Assignee", people: { contains: "ada@acme.com" } } }),
        400, APIErrorCode.ValidationError, "people contains an email",
      );
    });

    await check("pages.properties.retrieve: a people value is a paginated list of property items", async () => {
      const items = await collectPaginatedAPI(notion.pages.properties.retrieve, { page_id: pageId(3), property_id: "Assignee", page_size: 1 });
      eq(items.map((x) => [x.object, x.type, x.people.id]), [["property_item", "people", PEOPLE[0].id], ["property_item", "people", PEOPLE[1].id]], "items");
    });

    await check("pages.update: tags by name (a new one joins the schema), assignees by id; a user as read is refused", async () => {
      const updated = await notion.pages.update({
        page_id: pageId(0),
        properties: {
          Tags: { multi_select: [{ name: "infra" }, { name: "urgent" }] },
          Assignee: { people: [{ object: "user", id: PEOPLE[1].id }] },
        },
      });
      eq(updated.properties.Tags.multi_select.map((o) => o.name), ["infra", "urgent"], "tags");
      eq(updated.properties.Assignee.people.map((u) => u.name), ["Grace Hopper"], "assignees");
      const ds = await notion.dataSources.retrieve({ data_source_id: DATA_SOURCE_ID });
      expect(ds.properties.Tags.multi_select.options.some((o) => o.name === "urgent"), "urgent was not added");
      const asRead = (await notion.pages.retrieve({ page_id: pageId(3) })).properties.Assignee.people;
      const e = await expectApiError(
        notion.pages.update({ page_id: pageId(0), properties: { Assignee: { people: asRead } } }),
        400, APIErrorCode.ValidationError, "a user object as read",
      );
      expect(/should be not present/.test(e.message), `message: ${e.message}`);
      // the write is an edit of today: a last_edited_time filter finds it
      const edited = await query({ timestamp: "last_edited_time", last_edited_time: { on_or_after: AS_OF } });
      eq(edited, ["Task 0"], "edited today");
      expect(updated.last_edited_time.startsWith(AS_OF), `last_edited_time ${updated.last_edited_time}`);
    });
  } catch (e) {
    tally.failures++;
    console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
  } finally {
    await stopSandbox(sb);
    rmSync(dir, { recursive: true, force: true });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (tally.failures) {
    console.log(`conformance: ${tally.failures} of ${tally.count} checks FAILED against @notionhq/client (people) (${secs} s)`);
    process.exit(1);
  }
  console.log(`conformance: all ${tally.count} checks passed against @notionhq/client (people) (${secs} s)`);
}

watchdog(30_000);
await main();
