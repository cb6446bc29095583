//! The fake workspace as it is now: the board, indexes of its ids, the
//! facts queries filter on, the clock, and the ids it makes up. Handlers
//! read and write it; the engine owns it.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};

use crate::filter::{default_rank, facts_of, order, Fact, Filter, Sort};
use crate::http::{lock, ApiError};
use crate::model::{
    format_id, parse_id, person_id, uuid_from_bits, Board, PageState, PropertyKind, PropertyValue,
};

/// What the workspace takes from the sandbox's settings.
pub(crate) struct Settings {
    /// Seeds cursors and the order of unsorted results.
    pub(crate) seed: u64,
    /// The pinned day of the clock, if any (else the board's).
    pub(crate) today: Option<NaiveDate>,
    /// Seeds the made-up ids; `None`: drawn afresh.
    pub(crate) id_seed: Option<u64>,
    /// At most this many rows per query chain.
    pub(crate) row_cap: usize,
    /// A read-only integration: writes are 403.
    pub(crate) read_only: bool,
    /// The integration may read people's email addresses.
    pub(crate) user_emails: bool,
    /// The integration may insert comments.
    pub(crate) can_comment: bool,
}

/// The workspace behind its lock, with the settings handlers read.
pub(crate) struct Workspace {
    state: Mutex<State>,
    /// Made-up ids (request ids, new pages, blocks, comments).
    ids: Mutex<fastrand::Rng>,
    pub(crate) seed: u64,
    pub(crate) row_cap: usize,
    pub(crate) read_only: bool,
    pub(crate) user_emails: bool,
    pub(crate) can_comment: bool,
}

impl Workspace {
    /// Indexes a (normalized) board.
    pub(crate) fn new(board: Board, settings: Settings) -> Workspace {
        Workspace {
            state: Mutex::new(State::new(board, settings.seed, settings.today)),
            ids: Mutex::new(match settings.id_seed {
                Some(seed) => fastrand::Rng::with_seed(seed ^ 0x1d5),
                None => fastrand::Rng::new(),
            }),
            seed: settings.seed,
            row_cap: settings.row_cap,
            read_only: settings.read_only,
            user_emails: settings.user_emails,
            can_comment: settings.can_comment,
        }
    }

    /// The state, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// A fresh random v4 UUID (seeded only by the id seed).
    pub(crate) fn new_id(&self) -> String {
        uuid_from_bits(lock(&self.ids).u128(..))
    }

    /// The board as it is now, with the pinned day, as board JSON.
    pub(crate) fn export(&self) -> String {
        let st = self.lock();
        let mut board = st.board.clone();
        board.today = st.today;
        board.to_json()
    }

    /// A page as it is now, whatever its sharing or trash state.
    pub(crate) fn page(&self, id: &str) -> Option<PageState> {
        let st = self.lock();
        let (d, i, p) = st.locate_page(id)?;
        Some(st.board.databases[d].data_sources[i].pages[p].clone())
    }

    /// Every page of a data source (trashed ones included), in board order.
    pub(crate) fn pages(&self, data_source_id: &str) -> Vec<PageState> {
        let st = self.lock();
        match st.locate_data_source(data_source_id) {
            Some((d, i)) => st.board.databases[d].data_sources[i].pages.clone(),
            None => Vec::new(),
        }
    }
}

/// The board plus id indexes (ids never change while running) and, per
/// data source, what queries need without chasing strings.
pub(crate) struct State {
    pub(crate) board: Board,
    dbs: HashMap<u128, usize>,
    dss: HashMap<u128, (usize, usize)>,
    pages: HashMap<u128, (usize, usize, usize)>,
    /// `[database][data source]`.
    cache: Vec<Vec<SourceCache>>,
    /// The pinned day of the clock, if any (config, else the board's).
    pub(crate) today: Option<NaiveDate>,
    seed: u64,
}

/// Filter facts (flat, one per page and property) and default ranks of the
/// pages of one data source; refreshed on every write to a page.
struct SourceCache {
    stride: usize,
    facts: Vec<Fact>,
    ranks: Vec<u64>,
}

impl State {
    fn new(board: Board, seed: u64, today: Option<NaiveDate>) -> Self {
        let today = today.or(board.today);
        let mut s = State {
            board,
            dbs: HashMap::new(),
            dss: HashMap::new(),
            pages: HashMap::new(),
            cache: Vec::new(),
            today,
            seed,
        };
        for (d, db) in s.board.databases.iter().enumerate() {
            s.dbs.extend(parse_id(&db.id).map(|k| (k, d)));
            let mut caches = Vec::new();
            for (i, ds) in db.data_sources.iter().enumerate() {
                s.dss.extend(parse_id(&ds.id).map(|k| (k, (d, i))));
                let mut facts = Vec::with_capacity(ds.pages.len() * ds.properties.len());
                for (p, page) in ds.pages.iter().enumerate() {
                    s.pages.extend(parse_id(&page.id).map(|k| (k, (d, i, p))));
                    facts_of(ds, page, &mut facts);
                }
                caches.push(SourceCache {
                    stride: ds.properties.len(),
                    facts,
                    ranks: ds.pages.iter().map(|p| default_rank(seed, p)).collect(),
                });
            }
            s.cache.push(caches);
        }
        s
    }

    /// The sandbox's clock: the real time, on the pinned day if there is one.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        match self.today {
            Some(d) => d.and_time(now.time()).and_utc(),
            None => now,
        }
    }

    /// Today by the sandbox's clock (UTC).
    pub(crate) fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Adds a page to a data source (indexes and filter facts included);
    /// returns its index.
    pub(crate) fn insert_page(&mut self, d: usize, i: usize, page: PageState) -> usize {
        let key = parse_id(&page.id);
        let ds = &mut self.board.databases[d].data_sources[i];
        ds.pages.push(page);
        let p = ds.pages.len() - 1;
        if let Some(k) = key {
            self.pages.insert(k, (d, i, p));
        }
        let ds = &self.board.databases[d].data_sources[i];
        let c = &mut self.cache[d][i];
        facts_of(ds, &ds.pages[p], &mut c.facts);
        c.ranks.push(default_rank(self.seed, &ds.pages[p]));
        p
    }

    /// Recomputes the facts of one page after a write.
    pub(crate) fn refresh(&mut self, d: usize, i: usize, p: usize) {
        let ds = &self.board.databases[d].data_sources[i];
        let c = &mut self.cache[d][i];
        let mut row = Vec::with_capacity(c.stride);
        facts_of(ds, &ds.pages[p], &mut row);
        c.facts[p * c.stride..(p + 1) * c.stride].copy_from_slice(&row);
    }

    /// The rows of a data source a query returns, in its order: not
    /// trashed, matching the filter, sorted (see `filter::order`).
    pub(crate) fn rows(
        &self,
        d: usize,
        i: usize,
        filter: Option<&Filter>,
        sorts: &[Sort],
    ) -> Vec<usize> {
        let ds = &self.board.databases[d].data_sources[i];
        let cache = &self.cache[d][i];
        let mut rows: Vec<usize> = ds
            .pages
            .iter()
            .enumerate()
            .filter(|(k, p)| {
                !p.in_trash
                    && filter.is_none_or(|f| {
                        f.matches(p, &cache.facts[k * cache.stride..(k + 1) * cache.stride])
                    })
            })
            .map(|(k, _)| k)
            .collect();
        order(&ds.pages, &mut rows, sorts, &cache.ranks);
        rows
    }

    /// Page location, whatever the sharing.
    pub(crate) fn locate_page(&self, id: &str) -> Option<(usize, usize, usize)> {
        self.pages.get(&parse_id(id)?).copied()
    }

    pub(crate) fn locate_data_source(&self, id: &str) -> Option<(usize, usize)> {
        self.dss.get(&parse_id(id)?).copied()
    }

    /// Is the data source shared with the integration (and its database)?
    pub(crate) fn visible(&self, d: usize, i: usize) -> bool {
        let db = &self.board.databases[d];
        db.shared && db.data_sources[i].shared
    }

    /// A shared database by the id of a path: 400 for an id that is not
    /// one, 404 for one that is not there or not shared.
    pub(crate) fn database_at(&self, raw: &str) -> Result<usize, ApiError> {
        let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("database_id", raw))?;
        self.dbs
            .get(&key)
            .copied()
            .filter(|&d| self.board.databases[d].shared)
            .ok_or_else(|| ApiError::not_found("database", &format_id(key)))
    }

    /// A shared data source by the id of a path (see [`State::database_at`]).
    pub(crate) fn data_source_at(&self, raw: &str) -> Result<(usize, usize), ApiError> {
        let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("data_source_id", raw))?;
        self.dss
            .get(&key)
            .copied()
            .filter(|&(d, i)| self.visible(d, i))
            .ok_or_else(|| ApiError::not_found("data source", &format_id(key)))
    }

    /// A page of a shared data source by the id of a path.
    pub(crate) fn page_at(&self, raw: &str) -> Result<(usize, usize, usize), ApiError> {
        let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("page_id", raw))?;
        self.pages
            .get(&key)
            .copied()
            .filter(|&(d, i, _)| self.visible(d, i))
            .ok_or_else(|| ApiError::not_found("page", &format_id(key)))
    }

    /// Where a block (a page's child) lives: page location and index.
    pub(crate) fn locate_block(&self, key: u128) -> Option<(usize, usize, usize, usize)> {
        for (d, db) in self.board.databases.iter().enumerate() {
            for (i, ds) in db.data_sources.iter().enumerate() {
                if !self.visible(d, i) {
                    continue;
                }
                for (p, page) in ds.pages.iter().enumerate() {
                    for (b, block) in page.children.iter().enumerate() {
                        if block["id"].as_str().and_then(parse_id) == Some(key) {
                            return Some((d, i, p, b));
                        }
                    }
                }
            }
        }
        None
    }

    /// A person (or a scheduled edit) sets a value; select options that do
    /// not exist are added, like in the Notion UI.
    pub(crate) fn set_value(
        &mut self,
        page_id: &str,
        property: &str,
        value: PropertyValue,
    ) -> Result<(), String> {
        let (d, i, p) = self
            .locate_page(page_id)
            .ok_or_else(|| format!("no page {page_id}"))?;
        let ds = &self.board.databases[d].data_sources[i];
        let k = ds
            .property_index(property)
            .ok_or_else(|| format!("no property {property:?} in data source {}", ds.id))?;
        let value = match (ds.properties[k].kind, value) {
            (PropertyKind::Date, PropertyValue::Text(s)) => PropertyValue::date(s),
            (PropertyKind::MultiSelect, PropertyValue::Text(s)) => PropertyValue::Options(vec![s]),
            (PropertyKind::People, PropertyValue::Options(keys) | PropertyValue::People(keys)) => {
                let users = &self.board.users;
                let ids = keys
                    .iter()
                    .map(|key| person_id(users, key).ok_or_else(|| format!("no user {key:?}")))
                    .collect::<Result<Vec<_>, _>>()?;
                PropertyValue::People(ids)
            }
            (_, v) => v,
        };
        let ds = &mut self.board.databases[d].data_sources[i];
        ds.add_missing_option(k, &value);
        let name = ds.properties[k].name.clone();
        let now = self.now();
        let page = &mut self.board.databases[d].data_sources[i].pages[p];
        page.properties.insert(name, value);
        page.touch(now);
        self.refresh(d, i, p);
        Ok(())
    }
}
