// The board the JavaScript conformance check serves (sdk.mjs): a
// deterministic generated board of more than 300 rows, and the date functions
// its expected results are computed with, from Notion's documented rules.

export const DATABASE_ID = "6b1c0a52-3f1e-4a7d-9c55-1d2e3f405060";
export const DATA_SOURCE_ID = "6b1c0a52-3f1e-4a7d-9c55-1d2e3f405061";
const ROWS = 360;
export const AS_OF = "2026-11-22";
export const STATUSES = ["To Do", "In Progress", "Done", "Overdue"];
export const PRIORITIES = ["High", "Medium", "Low"];

/** A small deterministic generator (xorshift32), so every run sees the same board. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

export function pageId(i) {
  const hex = (0x10000000 + i).toString(16).padStart(12, "0").slice(-12);
  return `7a2b3c4d-5e6f-4a1b-8c2d-${hex}`;
}

export function addDays(day, n) {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Datetimes near midnight in zones east and west of UTC: where "which day" is a question. */
const DATETIMES = [
  "2026-11-21T22:30:00.000-08:00", // Nov 22 in UTC
  "2026-11-22T07:00:00.000+09:00", // Nov 21 in UTC
  "2026-11-21T23:59:00.000Z",
  "2026-11-22T00:00:00.000Z",
  "2026-11-20T18:00:00.000-05:00",
  "2026-11-23T01:00:00.000+02:00", // Nov 22 in UTC
];

export function makeBoard() {
  const next = rng(20261122);
  const pages = [];
  for (let i = 0; i < ROWS; i++) {
    const r = next(20);
    let due;
    if (r === 0) due = null;
    else if (r <= 3) due = DATETIMES[next(DATETIMES.length)];
    else due = addDays(AS_OF, next(41) - 20);
    const created = new Date(Date.parse("2026-01-01T08:00:00Z") + i * 3_600_000);
    pages.push({
      id: pageId(i),
      created_time: created.toISOString(),
      last_edited_time: created.toISOString(),
      in_trash: i % 97 === 5,
      properties: {
        Name: `Task ${i}${i % 7 === 0 ? ": with a colon & more" : ""}`,
        Status: STATUSES[next(STATUSES.length)],
        Priority: PRIORITIES[next(PRIORITIES.length)],
        "Due Date": due,
      },
    });
  }
  return {
    // pins the sandbox's clock to AS_OF (relative date filters, last_edited_time)
    today: AS_OF,
    databases: [
      {
        id: DATABASE_ID,
        title: "Conformance",
        data_sources: [
          {
            id: DATA_SOURCE_ID,
            name: "Tasks",
            properties: [
              { name: "Name", type: "title" },
              {
                name: "Status",
                type: "status",
                options: STATUSES.map((name) => ({ name })),
                groups: [
                  { name: "To-do", options: ["To Do"] },
                  { name: "In progress", options: ["In Progress", "Overdue"] },
                  { name: "Complete", options: ["Done"] },
                ],
              },
              { name: "Priority", type: "select", options: PRIORITIES.map((name) => ({ name })) },
              { name: "Due Date", type: "date" },
            ],
            pages,
          },
        ],
      },
    ],
  };
}

/** The UTC calendar day of a page date: Notion compares date filters by it. */
export function utcDay(start) {
  return start.length === 10 ? start : new Date(start).toISOString().slice(0, 10);
}
