//! `verzuim generate`: a realistic synthetic school year in the exchange formats (formats.md).
//!
//! Writes `school.toml`, `pupils.csv`, `registrations.csv` and `events.csv` into a directory: one
//! school with groups `1-2` (kleuters, Wednesday and Friday mornings only), `3-4`, `5-6` and
//! `7-8`, and as many pupils as asked. The output is a pure function of (pupils, seed, school
//! year): the same seed gives byte-identical files, whatever the number of CPU threads.
//!
//! # Calendar
//!
//! Holidays are those of regio noord. For 2026-2027 they come from a table (the Rijksoverheid
//! sample in `shared/data`, plus the tail of the summer holiday 2026). For other school years
//! (2000-2001 up to and including 2099-2100) each holiday of the table is moved by whole weeks to
//! the same time of year, so it keeps its weekdays; these are approximations, not the official
//! dates. Other years are refused with a Dutch error. The vrije dagen are computed per year:
//! Goede Vrijdag, Tweede Paasdag, Koningsdag, Bevrijdingsdag (lustrum years), Hemelvaartsdag with
//! the Friday after and Tweede Pinksterdag, each left out when it falls in a vakantie. Three
//! studiedagen: the Friday right before the herfstvakantie (so the last lesson day before that
//! vakantie is a Thursday), the first free Wednesday of February and a Monday in June.
//!
//! # Distributions (per pupil, all drawn from the pupil's own ChaCha8 stream)
//!
//! - Group: 28% `1-2` (it also takes in the 4-year-olds who start during the year on their
//!   birthday), 24% each for the others; birth dates uniform over the group's two cohorts
//!   (ages 4-12). Enrolled from the 4th birthday; 3% of the older pupils arrive during the year.
//! - 3% leave during the year, 88% of them with a `next_school`; 0.03% are removed
//!   (`verwijdering` event naming the admitting school, who is also the `next_school`).
//! - Municipalities: Enschede 42%, Hengelo 22%, Almelo 9%, Oldenzaal 8%, then Borne, Losser,
//!   Haaksbergen, Tubbergen, Dinkelland, Wierden, Hof van Twente; half the rows give the CBS code.
//! - BSN (elfproef, unique per pupil) for ~91%; half of the rest an onderwijsnummer; parents'
//!   contact details for 92%.
//! - Sickness: 0-4 sick reports a year (mean 1.5), 1-5 lesson days, 2.5% of them a long one of 10-15
//!   lesson days; 15% of one-day reports start at a time (sent home).
//! - Part-day `geoorloofd` with times (doctor, dentist): 0-3 a year. `verlof` for gewichtige
//!   omstandigheden (5%, 1-2 days) and vakantieverlof right before a vakantie (3%, 1-5 days).
//! - Unauthorized: 3% have one `ongeoorloofd` (part-)day, a third of those next to a vakantie;
//!   0.5% take `luxe` days next to a vakantie; 1% have a cluster of `ongeoorloofd` days in three
//!   weeks heavy enough for 16 hours in 4 lesweken; 0.2% are thuiszitters (5-12 weeks of whole
//!   days `ongeoorloofd`). 0.1% are suspended (`schorsing`) for 1-2 days.
//! - Lateness: 5% have a cluster of 10-20 latenesses, the rest 0-4 (mostly 0); 20% of the rows
//!   carry the arrival time.
//! - Events: `zorg_ziekte` for 15% of the pupils with 3+ sick reports or a long one (and 0.1% at
//!   random), `overig_verzuim` (with a note) for 60% of thuiszitters, 20% of heavy absentees and
//!   0.1% at random.
//!
//! Registrations lie only on lesson days, within enrolment; a pupil has at most one absence
//! registration per lesson day, and a `te_laat` only on a day without absence. A multi-day
//! registration never spans a vakantie (its start and end are lesson days of one stretch).

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::{DayNumber, date_of, day_number, easter_sunday, weekday_index};
use verzuim_engine::model::{
    ClosedKind, ClosedPeriod, Code, GroupTimes, School, TimeRange, WeekTimes,
};
use verzuim_exchange::write;

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub pupils: usize,
    pub seed: u64,
    pub out: PathBuf,
    /// The first year of the school year: 2026 = 2026-2027.
    pub school_year: i16,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    pub pupils: u64,
    pub registrations: u64,
    pub events: u64,
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

impl fmt::Display for GenerateSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} leerlingen, {} registraties, {} gebeurtenissen geschreven naar {}",
            dutch_thousands(self.pupils),
            dutch_thousands(self.registrations),
            dutch_thousands(self.events),
            self.dir.display()
        )
    }
}

/// 1234567 -> "1.234.567".
pub(crate) fn dutch_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    // digits before the next dot
    let mut left = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    for c in digits.chars() {
        if left == 0 {
            out.push('.');
            left = 3;
        }
        out.push(c);
        left -= 1;
    }
    out
}

/// Pupils per unit of work; each chunk is generated independently (own buffers), then written in
/// order, so the output does not depend on the number of threads.
const CHUNK: usize = 2048;

/// Generates the files; see the module documentation.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    generate_with_threads(opts, threads)
}

fn generate_with_threads(opts: &GenerateOptions, threads: usize) -> Result<GenerateSummary> {
    let threads = threads.clamp(1, 64);
    let cal = Calendar::new(opts.school_year)?;
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("kan de map {} niet aanmaken", opts.out.display()))?;

    let school_path = opts.out.join("school.toml");
    std::fs::write(
        &school_path,
        cal.school_toml(
            "99XX01",
            "OBS De Twentse Esch (synthetisch)",
            &Classes::single(),
        ),
    )
    .with_context(|| format!("kan {} niet schrijven", school_path.display()))?;

    let pupils_path = opts.out.join("pupils.csv");
    let regs_path = opts.out.join("registrations.csv");
    let events_path = opts.out.join("events.csv");
    let mut pupils_w = create(&pupils_path)?;
    let mut regs_w = create(&regs_path)?;
    let mut events_w = create(&events_path)?;
    let io = |path: &Path| format!("kan {} niet schrijven", path.display());
    pupils_w
        .write_all(PUPILS_HEADER.as_bytes())
        .with_context(|| io(&pupils_path))?;
    regs_w
        .write_all(REGS_HEADER.as_bytes())
        .with_context(|| io(&regs_path))?;
    events_w
        .write_all(EVENTS_HEADER.as_bytes())
        .with_context(|| io(&events_path))?;

    let base = ChaCha8Rng::seed_from_u64(opts.seed);
    let n_chunks = opts.pupils.div_ceil(CHUNK);
    let window = threads * 2;
    let mut counts = (0u64, 0u64);
    let mut first = 0;
    while first < n_chunks {
        let last = (first + window).min(n_chunks);
        let gen_chunk = |c: usize| {
            let from = c * CHUNK;
            let to = ((c + 1) * CHUNK).min(opts.pupils);
            let mut out = ChunkOut::default();
            let mut scratch = Scratch::default();
            let mut classes = Classes::single();
            for i in from..to {
                gen_pupil(
                    i,
                    opts.seed,
                    &base,
                    &cal,
                    Homes::Twente,
                    &mut classes,
                    &mut scratch,
                    &mut out,
                );
            }
            out
        };
        let outs: Vec<ChunkOut> = if last - first == 1 || threads == 1 {
            (first..last).map(gen_chunk).collect()
        } else {
            let gen_chunk = &gen_chunk;
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..threads.min(last - first))
                    .map(|t| {
                        s.spawn(move || {
                            (first + t..last)
                                .step_by(threads)
                                .map(|c| (c, gen_chunk(c)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                let mut all: Vec<(usize, ChunkOut)> = Vec::with_capacity(last - first);
                for h in handles {
                    all.extend(h.join().expect("generator thread panicked"));
                }
                all.sort_by_key(|(c, _)| *c);
                all.into_iter().map(|(_, o)| o).collect()
            })
        };
        for o in outs {
            pupils_w
                .write_all(&o.pupils)
                .with_context(|| io(&pupils_path))?;
            regs_w.write_all(&o.regs).with_context(|| io(&regs_path))?;
            events_w
                .write_all(&o.events)
                .with_context(|| io(&events_path))?;
            counts.0 += o.n_regs;
            counts.1 += o.n_events;
        }
        first = last;
    }
    pupils_w.flush().with_context(|| io(&pupils_path))?;
    regs_w.flush().with_context(|| io(&regs_path))?;
    events_w.flush().with_context(|| io(&events_path))?;

    Ok(GenerateSummary {
        pupils: opts.pupils as u64,
        registrations: counts.0,
        events: counts.1,
        dir: opts.out.clone(),
        files: vec![school_path, pupils_path, regs_path, events_path],
    })
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    let f = File::create(path).with_context(|| format!("kan {} niet aanmaken", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

pub(crate) const PUPILS_HEADER: &str = "pupil_id,name,birth_date,group,municipality,enrolled_from,enrolled_until,next_school,bsn,onderwijsnummer,parent_name,parent_email,parent_phone,street,postcode,city\n";
pub(crate) const REGS_HEADER: &str = "pupil_id,code,start,end,minutes,note\n";
pub(crate) const EVENTS_HEADER: &str = "pupil_id,date,event,note\n";

// ---------------------------------------------------------------------------------------------
// Days as the engine's day numbers (`verzuim_engine::calendar`), dates with jiff.

type Day = DayNumber;

/// The day number of a date.
fn ymd(y: i32, m: i8, d: i8) -> Day {
    let year = i16::try_from(y).expect("a supported school year");
    day_number(jiff::civil::date(year, m, d))
}

/// 0 = Monday .. 6 = Sunday.
fn weekday(d: Day) -> u8 {
    weekday_index(d) as u8
}

/// The date `years` later; 29 February becomes 28 February in a year without it (jiff).
fn add_years(d: Day, years: i32) -> Day {
    let date = date_of(d)
        .checked_add(jiff::Span::new().years(i64::from(years)))
        .expect("within jiff's range");
    day_number(date)
}

fn date_string(d: Day) -> String {
    date_of(d).to_string()
}

fn date_bytes(d: Day) -> [u8; 10] {
    let text = date_string(d);
    text.as_bytes()
        .try_into()
        .expect("a date in years 1000-9999")
}

// ---------------------------------------------------------------------------------------------
// The school calendar.

#[derive(Debug, Clone)]
struct Closed {
    name: String,
    kind: ClosedKind,
    from: Day,
    until: Day,
}

/// Supported school years: the table's year and those the week shift reaches sensibly.
const FIRST_YEAR: i16 = 2000;
const LAST_YEAR: i16 = 2099;

/// Regio noord 2026-2027 (shared/data sample: the date parts of its timestamps, both ends
/// inclusive; herfst and kerst are the official dates).
/// (name, from, until) as (year, month, day).
type Ymd = (i32, i8, i8);
const SUMMER_2026: (Ymd, Ymd) = ((2026, 7, 4), (2026, 8, 16));
const TABLE_2026: [(&str, Ymd, Ymd); 5] = [
    ("Herfstvakantie", (2026, 10, 10), (2026, 10, 18)),
    ("Kerstvakantie", (2026, 12, 19), (2027, 1, 3)),
    ("Voorjaarsvakantie", (2027, 2, 20), (2027, 2, 28)),
    ("Meivakantie", (2027, 4, 24), (2027, 5, 2)),
    ("Zomervakantie", (2027, 7, 10), (2027, 8, 22)),
];

/// Moves a period `years` on, by the whole number of weeks that lands nearest the same date.
fn shift_period(from: Ymd, until: Ymd, years: i32) -> (Day, Day) {
    let f = ymd(from.0, from.1, from.2);
    let u = ymd(until.0, until.1, until.2);
    let target = add_years(f, years);
    let weeks = ((target - f) as f64 / 7.0).round() as i32;
    (f + weeks * 7, u + weeks * 7)
}

pub(crate) struct Calendar {
    year: i32,
    closed: Vec<Closed>,
    /// Lesson days of the school year, ascending.
    ld: Vec<Day>,
    ld_str: Vec<[u8; 10]>,
    ld_wd: Vec<u8>,
    /// Stretch of lesson days between two vakanties: a registration stays within one.
    ld_block: Vec<u32>,
    /// Lesson-day index of the last lesson day before a vakantie.
    before_vac: Vec<usize>,
    /// Lesson-day index of the first lesson day after a vakantie.
    after_vac: Vec<usize>,
}

impl Calendar {
    pub(crate) fn new(school_year: i16) -> Result<Calendar> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&school_year) {
            bail!(
                "schooljaar {}-{} wordt niet ondersteund: kies een schooljaar van {}-{} tot en met {}-{}",
                school_year,
                i32::from(school_year) + 1,
                FIRST_YEAR,
                FIRST_YEAR + 1,
                LAST_YEAR,
                LAST_YEAR + 1
            );
        }
        let year = i32::from(school_year);
        let shift = year - 2026;
        let start = ymd(year, 8, 1);
        let end = ymd(year + 1, 7, 31);

        let mut closed: Vec<Closed> = Vec::new();
        // The end of the previous summer holiday: the table's 2026 for 2026, otherwise the
        // table's 2027 summer moved to this year, so consecutive years agree.
        let (sf, su) = if shift == 0 {
            shift_period(SUMMER_2026.0, SUMMER_2026.1, 0)
        } else {
            let (_, f, u) = TABLE_2026[4];
            shift_period(f, u, shift - 1)
        };
        if su >= start {
            closed.push(Closed {
                name: format!("Zomervakantie {year}"),
                kind: ClosedKind::Vakantie,
                from: sf.max(start),
                until: su,
            });
        }
        for (name, f, u) in TABLE_2026 {
            let (from, until) = shift_period(f, u, shift);
            closed.push(Closed {
                name: name.to_string(),
                kind: ClosedKind::Vakantie,
                from,
                until,
            });
        }
        let in_vakantie = |d: Day, closed: &[Closed]| {
            closed
                .iter()
                .any(|c| c.kind == ClosedKind::Vakantie && c.from <= d && d <= c.until)
        };
        let y1 = year + 1;
        let e = day_number(easter_sunday(i16::try_from(y1).expect("a supported year")));
        let mut koningsdag = ymd(y1, 4, 27);
        if weekday(koningsdag) == 6 {
            koningsdag -= 1;
        }
        let mut vrij: Vec<(&str, Day)> = vec![
            ("Goede Vrijdag", e - 2),
            ("Tweede Paasdag", e + 1),
            ("Koningsdag", koningsdag),
            ("Hemelvaartsdag", e + 39),
            ("Vrijdag na Hemelvaart", e + 40),
            ("Tweede Pinksterdag", e + 50),
        ];
        if y1 % 5 == 0 {
            vrij.push(("Bevrijdingsdag", ymd(y1, 5, 5)));
        }
        for (name, d) in vrij {
            if weekday(d) < 5 && !in_vakantie(d, &closed) {
                closed.push(Closed {
                    name: name.to_string(),
                    kind: ClosedKind::VrijeDag,
                    from: d,
                    until: d,
                });
            }
        }
        let is_closed =
            |d: Day, closed: &[Closed]| closed.iter().any(|c| c.from <= d && d <= c.until);
        // Studiedagen: the Friday before the herfstvakantie (the edge case of docs/spec/rules.md §2), the
        // first free Wednesday of February and the first free Monday from 8 June.
        let herfst = closed
            .iter()
            .find(|c| c.name == "Herfstvakantie")
            .map(|c| c.from)
            .expect("table has a herfstvakantie");
        let mut studie = vec![herfst - 1];
        let mut d = ymd(y1, 2, 1);
        while weekday(d) != 2 || is_closed(d, &closed) {
            d += 1;
        }
        studie.push(d);
        let mut d = ymd(y1, 6, 8);
        while weekday(d) != 0 || is_closed(d, &closed) {
            d += 1;
        }
        studie.push(d);
        for d in studie {
            if weekday(d) < 5 && !is_closed(d, &closed) {
                closed.push(Closed {
                    name: "Studiedag".to_string(),
                    kind: ClosedKind::Studiedag,
                    from: d,
                    until: d,
                });
            }
        }
        closed.sort_by_key(|c| (c.from, c.until));

        // Lesson days from the engine's calendar of the school (every group has lessons on
        // every weekday, so the school's default schedule has them all).
        let calendar = SchoolCalendar::new(
            &school(&closed, "", "", &Classes::single()),
            date_of(start),
            date_of(end),
        );
        let ld: Vec<Day> = (start..=end)
            .filter(|&d| calendar.group(GROUPS[1]).is_lesson_day(d))
            .collect();
        let ld_str = ld.iter().map(|&d| date_bytes(d)).collect();
        let ld_wd = ld.iter().map(|&d| weekday(d)).collect();
        let mut ld_block = Vec::with_capacity(ld.len());
        let mut block = 0u32;
        for (i, &d) in ld.iter().enumerate() {
            if i > 0 && in_vakantie_between(ld[i - 1], d, &closed) {
                block += 1;
            }
            ld_block.push(block);
        }
        let mut before_vac = Vec::new();
        let mut after_vac = Vec::new();
        for c in closed.iter().filter(|c| c.kind == ClosedKind::Vakantie) {
            let b = ld.partition_point(|&d| d < c.from);
            if b > 0 {
                before_vac.push(b - 1);
            }
            let a = ld.partition_point(|&d| d <= c.until);
            if a < ld.len() {
                after_vac.push(a);
            }
        }
        Ok(Calendar {
            year,
            closed,
            ld,
            ld_str,
            ld_wd,
            ld_block,
            before_vac,
            after_vac,
        })
    }

    /// The school.toml of a school with this calendar and these classes.
    pub(crate) fn school_toml(&self, id: &str, name: &str, classes: &Classes) -> String {
        let mut s = format!(
            "# Synthetic school year {}-{} written by `verzuim generate`; holidays regio noord\n",
            self.year,
            self.year + 1
        );
        if self.year != 2026 {
            s.push_str(
                "# (moved by whole weeks from the 2026-2027 table: approximations, not the official dates)\n",
            );
        }
        s.push_str(&write::school_toml(&school(
            &self.closed,
            id,
            name,
            classes,
        )));
        s
    }
}

/// A school with the generator's lesson times (the kleuter classes, `1-2` or `1-2a`, …:
/// Wednesday and Friday mornings only) and these closed periods.
fn school(closed: &[Closed], id: &str, name: &str, classes: &Classes) -> School {
    let time = |from: u16, until: u16| TimeRange::new(from, until);
    let full = vec![time(T0830, T1200), time(T1245, T1500)];
    let mut week = WeekTimes::default();
    for day in [0, 1, 3, 4] {
        week.0[day] = full.clone();
    }
    week.0[2] = vec![time(T0830, 12 * 60 + 15)];
    let mut kleuter_times = GroupTimes::default();
    kleuter_times.0[2] = Some(vec![time(T0830, T1200)]);
    kleuter_times.0[4] = Some(vec![time(T0830, T1200)]);
    School {
        earlier_times: Vec::new(),
        id: id.to_string(),
        name: name.to_string(),
        holiday_region: Some("noord".to_string()),
        lesson_times: week,
        groups: classes
            .kleuter_groups()
            .into_iter()
            .map(|g| (g, kleuter_times.clone()))
            .collect(),
        closed: closed
            .iter()
            .map(|c| ClosedPeriod {
                name: c.name.clone(),
                kind: c.kind,
                from: date_of(c.from),
                until: date_of(c.until),
            })
            .collect(),
    }
}

fn in_vakantie_between(a: Day, b: Day, closed: &[Closed]) -> bool {
    closed
        .iter()
        .any(|c| c.kind == ClosedKind::Vakantie && c.from > a && c.until < b)
}

// ---------------------------------------------------------------------------------------------
// Lesson times (must match school_toml).

const GROUPS: [&str; 4] = ["1-2", "3-4", "5-6", "7-8"];
/// The share of the pupils in each of [`GROUPS`], in percent (see [`gen_pupil`]).
const GROUP_SHARES: [usize; 4] = [28, 24, 24, 24];

/// The parallel classes of a school's groups: `3-4a`, `3-4b`, … A region's schools have
/// classes of at most about 30 pupils, as Dutch schools do (a teacher's register shows one
/// class; issue 13.3); the one-school generator keeps one class per group, named as the group.
/// Pupils go round the classes of their group in the order they are made, so the classes are
/// equally full.
pub(crate) struct Classes {
    per_group: [usize; 4],
    next: [usize; 4],
}

/// At most this many pupils are expected in one class.
const CLASS_SIZE: usize = 30;

impl Classes {
    /// One class per group, named as the group (`3-4`).
    pub(crate) fn single() -> Classes {
        Classes {
            per_group: [1; 4],
            next: [0; 4],
        }
    }

    /// The classes of a school of `pupils`: as many per group as the group's expected size
    /// needs at [`CLASS_SIZE`] (at most 26, `a` to `z`).
    pub(crate) fn for_school(pupils: usize) -> Classes {
        Classes {
            per_group: GROUP_SHARES
                .map(|share| (pupils * share).div_ceil(100 * CLASS_SIZE).clamp(1, 26)),
            next: [0; 4],
        }
    }

    /// The letter of the next pupil's class in group `g`, none when the group has one class.
    fn next_letter(&mut self, g: usize) -> Option<u8> {
        let n = self.per_group[g];
        if n == 1 {
            return None;
        }
        let k = self.next[g] % n;
        self.next[g] += 1;
        Some(b'a' + u8::try_from(k).unwrap_or(0))
    }

    /// The names of the kleuter classes (they have the kleuters' lesson times).
    fn kleuter_groups(&self) -> Vec<String> {
        match self.per_group[0] {
            1 => vec![GROUPS[0].to_owned()],
            n => (0..n)
                .map(|k| format!("{}{}", GROUPS[0], char::from(b'a' + k as u8)))
                .collect(),
        }
    }
}
const T0830: u16 = 8 * 60 + 30;
const T1200: u16 = 12 * 60;
const T1245: u16 = 12 * 60 + 45;
const T1500: u16 = 15 * 60;

fn day_minutes(kleuter: bool, wd: u8) -> u32 {
    match (wd, kleuter) {
        (2, true) | (4, true) => 210,
        (2, false) => 225,
        _ => 345,
    }
}

fn has_afternoon(kleuter: bool, wd: u8) -> bool {
    matches!(wd, 0 | 1 | 3) || (wd == 4 && !kleuter)
}

// ---------------------------------------------------------------------------------------------
// Reference data.

#[derive(Debug, Clone, Copy)]
pub(crate) struct Municipality<'a> {
    pub name: &'a str,
    pub code: &'a str,
    pub city: &'a str,
    pub postcode: (u32, u32),
    pub weight: u32,
}

pub(crate) const MUNICIPALITIES: [Municipality<'static>; 11] = [
    Municipality {
        name: "Enschede",
        code: "GM0153",
        city: "Enschede",
        postcode: (7511, 7548),
        weight: 42,
    },
    Municipality {
        name: "Hengelo",
        code: "GM0164",
        city: "Hengelo",
        postcode: (7550, 7559),
        weight: 22,
    },
    Municipality {
        name: "Almelo",
        code: "GM0141",
        city: "Almelo",
        postcode: (7600, 7611),
        weight: 9,
    },
    Municipality {
        name: "Oldenzaal",
        code: "GM0173",
        city: "Oldenzaal",
        postcode: (7570, 7577),
        weight: 8,
    },
    Municipality {
        name: "Borne",
        code: "GM0147",
        city: "Borne",
        postcode: (7620, 7623),
        weight: 4,
    },
    Municipality {
        name: "Losser",
        code: "GM0168",
        city: "Losser",
        postcode: (7580, 7582),
        weight: 4,
    },
    Municipality {
        name: "Haaksbergen",
        code: "GM0158",
        city: "Haaksbergen",
        postcode: (7480, 7483),
        weight: 3,
    },
    Municipality {
        name: "Tubbergen",
        code: "GM0183",
        city: "Tubbergen",
        postcode: (7650, 7651),
        weight: 2,
    },
    Municipality {
        name: "Dinkelland",
        code: "GM1774",
        city: "Denekamp",
        postcode: (7590, 7591),
        weight: 2,
    },
    Municipality {
        name: "Wierden",
        code: "GM0189",
        city: "Wierden",
        postcode: (7640, 7642),
        weight: 2,
    },
    Municipality {
        name: "Hof van Twente",
        code: "GM1735",
        city: "Goor",
        postcode: (7470, 7472),
        weight: 2,
    },
];

const FIRST_NAMES: [&str; 64] = [
    "Noor", "Emma", "Julia", "Mila", "Sophie", "Tess", "Sara", "Zoe", "Liv", "Nora", "Daan", "Sem",
    "Noah", "Lucas", "Levi", "Finn", "Luuk", "Milan", "Bram", "Jesse", "Mees", "Adam", "Thijs",
    "Yara", "Fenna", "Lotte", "Sanne", "Ties", "Gijs", "Jens", "Ayoub", "Elif", "Amira",
    "Mohammed", "Roos", "Femke", "Hidde", "Stijn", "Lars", "Isa", "Evi", "Jurre", "Siem", "Floor",
    "Teun", "Ilse", "Rayan", "Hanna", "Wout", "Maud", "Olivia", "Vera", "Jip", "Sam", "Mats",
    "Guus", "Lieke", "Nina", "Ravi", "Yusuf", "Anna", "Max", "Tygo", "Puck",
];
const LAST_NAMES: [&str; 64] = [
    "Jansen",
    "de Vries",
    "Nijhuis",
    "Oude Luttikhuis",
    "Kamphuis",
    "ter Horst",
    "Wessels",
    "Brinkhuis",
    "Lammerink",
    "Olde Riekerink",
    "ter Braak",
    "Huisman",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Nguyen",
    "Dijkhuis",
    "Bakker",
    "Smit",
    "Mulder",
    "Hofstede",
    "Klein Gunnewiek",
    "Bruggink",
    "Vos",
    "Peters",
    "Hendriks",
    "Scholten",
    "Heerink",
    "Leferink",
    "Pierik",
    "Boerrigter",
    "Haverkate",
    "Meijer",
    "Kok",
    "Visser",
    "Veldhuis",
    "Zwiers",
    "Arends",
    "Groothuis",
    "Tijhuis",
    "Willemsen",
    "Ganzevoort",
    "Weghorst",
    "Ros",
    "Bouwman",
    "Hilbrink",
    "Rikhof",
    "Eshuis",
    "Stokkers",
    "Wolbers",
    "Kuipers",
    "Oosterveld",
    "Brunninkhuis",
    "Nijenhuis",
    "Roelofs",
    "Ter Haar",
    "Bosch",
    "Demir",
    "Sahin",
    "Bulut",
    "Wiggers",
    "Kroeze",
    "Lansink",
    "Reinders",
];
const PARENT_NAMES: [&str; 32] = [
    "Anouk", "Mark", "Linda", "Erik", "Sandra", "Jeroen", "Marloes", "Bas", "Ilona", "Hakan",
    "Fatima", "Rob", "Esther", "Dennis", "Karin", "Tim", "Nadia", "Wouter", "Iris", "Youssef",
    "Monique", "Ruud", "Sevda", "Martijn", "Judith", "Niels", "Petra", "Ahmed", "Chantal", "Remco",
    "Miriam", "Sander",
];
const STREETS: [&str; 24] = [
    "Kerkstraat",
    "Molenstraat",
    "Schoolstraat",
    "Dorpsstraat",
    "Grotestraat",
    "Markt",
    "Stationsstraat",
    "Wilhelminastraat",
    "Julianastraat",
    "Beatrixlaan",
    "Parkweg",
    "Eikenlaan",
    "Berkenlaan",
    "Lindelaan",
    "Beukenlaan",
    "Kastanjelaan",
    "Meidoornstraat",
    "Vlierstraat",
    "Hazelaarstraat",
    "Esdoornstraat",
    "Brinkstraat",
    "Veldweg",
    "Esschestraat",
    "Boerhaarweg",
];
const SCHOOLS: [&str; 12] = [
    "OBS De Wielewaal Hengelo",
    "CBS De Regenboog Enschede",
    "RK Basisschool De Bongerd Oldenzaal",
    "OBS Het Palet Almelo",
    "CBS De Akker Borne",
    "IKC De Marke Tubbergen",
    "Daltonschool De Zevensprong Losser",
    "OBS De Vlier Haaksbergen",
    "KBS De Triangel Hengelo",
    "OBS Het Kristal Enschede",
    "SBO De Wieken Enschede",
    "SBO Het Mozaiek Hengelo",
];
const ADMITTING_SCHOOLS: [&str; 4] = [
    "SBO De Wieken Enschede",
    "SBO Het Mozaiek Hengelo",
    "CBS De Regenboog Enschede",
    "KBS De Triangel Hengelo",
];
const GEOORLOOFD_NOTES: [&str; 6] = [
    "Tandarts",
    "Huisarts",
    "Orthodontist",
    "Ziekenhuisafspraak",
    "Logopedie",
    "Fysiotherapie",
];
const VERLOF_NOTES: [&str; 5] = [
    "Bruiloft familie",
    "Begrafenis",
    "Jubileum grootouders",
    "Verhuizing",
    "Religieuze feestdag",
];
const VAKANTIEVERLOF_NOTE: &str = "Vakantieverlof art. 13a toegekend door directeur";
const LUXE_NOTES: [&str; 3] = [
    "Eerder op vakantie zonder toestemming",
    "Later terug van vakantie",
    "Verlof geweigerd en toch weg",
];
const ONGEOORLOOFD_NOTES: [&str; 4] = [
    "Geen bericht van ouders",
    "Ouders niet bereikbaar",
    "Geen geldige reden",
    "",
];
const OVERIG_NOTES: [&str; 5] = [
    "Vermoedelijk schoolangst",
    "Zorgen over thuissituatie",
    "Mantelzorgtaken thuis",
    "Pestproblematiek",
    "Vermoedelijk problemen met slapen en schermgebruik",
];

// ---------------------------------------------------------------------------------------------
// One pupil.

/// One registration row. Days are lesson-day indices; a time of 0 means none.
#[derive(Debug, Clone, Copy)]
struct Reg {
    start: u16,
    end: u16,
    code: Code,
    from_t: u16,
    to_t: u16,
    minutes: u16,
    note: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    Verwijdering,
    ZorgZiekte,
    OverigVerzuim,
}

#[derive(Default)]
pub(crate) struct ChunkOut {
    pub pupils: Vec<u8>,
    pub regs: Vec<u8>,
    pub events: Vec<u8>,
    pub n_regs: u64,
    pub n_events: u64,
}

#[derive(Default)]
pub(crate) struct Scratch {
    /// Per lesson day: 0 free, 1 absence, 2 lateness.
    occ: Vec<u8>,
    regs: Vec<Reg>,
    events: Vec<(u16, EventKind, &'static str)>,
    id: Vec<u8>,
}

const FREE: u8 = 0;
const ABSENT: u8 = 1;
const LATE: u8 = 2;

struct PupilCtx<'a> {
    cal: &'a Calendar,
    lo: usize,
    hi: usize,
    kleuter: bool,
}

impl PupilCtx<'_> {
    fn free(&self, occ: &[u8], a: usize, b: usize) -> bool {
        a >= self.lo
            && b <= self.hi
            && a <= b
            && self.cal.ld_block[a] == self.cal.ld_block[b]
            && occ[a..=b].iter().all(|&o| o == FREE)
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

/// Where a school's pupils live (their woongemeente).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Homes<'a> {
    /// The Twente municipalities by their weights (one school).
    Twente,
    /// Most in the school's own municipality, the rest anywhere in the region.
    Region {
        own: Municipality<'a>,
        all: &'a [Municipality<'a>],
    },
}

impl<'a> Homes<'a> {
    fn pick(self, rng: &mut ChaCha8Rng) -> Municipality<'a> {
        let weighted = |list: &[Municipality<'a>], rng: &mut ChaCha8Rng| {
            let total: u32 = list.iter().map(|m| m.weight).sum();
            let mut r = rng.random_range(0..total);
            for m in list {
                if r < m.weight {
                    return *m;
                }
                r -= m.weight;
            }
            list[0]
        };
        match self {
            Homes::Twente => weighted(&MUNICIPALITIES, rng),
            Homes::Region { own, all } => {
                if rng.random_bool(0.92) {
                    own
                } else {
                    all[rng.random_range(0..all.len())]
                }
            }
        }
    }
}

/// Writes pupil `i` (its number in the whole generated region: its id, BSN and random stream
/// follow from it) into `out`, in the next class of its group in `classes`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gen_pupil(
    i: usize,
    seed: u64,
    base: &ChaCha8Rng,
    cal: &Calendar,
    homes: Homes<'_>,
    classes: &mut Classes,
    sc: &mut Scratch,
    out: &mut ChunkOut,
) {
    let mut rng = base.clone();
    rng.set_stream(i as u64);
    let year = cal.year;
    let n_ld = cal.ld.len();

    // Group and birth date.
    let g = match rng.random_range(0..100u32) {
        0..28 => 0,
        28..52 => 1,
        52..76 => 2,
        _ => 3,
    };
    let kleuter = g == 0;
    let (b_from, b_until) = if kleuter {
        (ymd(year - 6, 10, 1), ymd(year - 3, 6, 30))
    } else {
        let y = year - 6 - 2 * (g as i32 - 1);
        (ymd(y - 2, 10, 1), ymd(y, 9, 30))
    };
    let birth = rng.random_range(b_from..=b_until);
    let mut efrom = add_years(birth, 4);
    while weekday(efrom) >= 5 {
        efrom += 1;
    }
    if !kleuter && n_ld > 40 && rng.random_bool(0.03) {
        efrom = cal.ld[rng.random_range(0..n_ld - 20)];
    }
    let lo = cal.ld.partition_point(|&d| d < efrom);

    // Leaving, removal.
    let mut euntil: Option<Day> = None;
    let mut next_school = "";
    let mut verwijdering: Option<(usize, &'static str)> = None;
    if n_ld > 0 && lo + 15 < n_ld {
        let r = rng.random_range(0..10_000u32);
        if r < 3 {
            let u = rng.random_range(lo + 10..n_ld);
            let school = pick(&mut rng, &ADMITTING_SCHOOLS);
            euntil = Some(cal.ld[u]);
            next_school = school;
            verwijdering = Some((u - rng.random_range(2..=8usize), school));
        } else if r < 303 {
            let u = rng.random_range(lo + 5..n_ld - 1);
            euntil = Some(cal.ld[u]);
            if rng.random_bool(0.88) {
                next_school = pick(&mut rng, &SCHOOLS);
            }
        }
    }
    let hi_excl = match euntil {
        Some(u) => cal.ld.partition_point(|&d| d <= u),
        None => n_ld,
    };

    // Identity and contact.
    let muni = homes.pick(&mut rng);
    let use_code = rng.random_bool(0.5);
    let first = pick(&mut rng, &FIRST_NAMES);
    let last = pick(&mut rng, &LAST_NAMES);
    let has_contact = rng.random_bool(0.92);
    let parent = pick(&mut rng, &PARENT_NAMES);
    let street = pick(&mut rng, &STREETS);
    let house = rng.random_range(1..=220u32);
    let pc = rng.random_range(muni.postcode.0..=muni.postcode.1);
    const PC_LETTERS: &[u8] = b"ABCEGHJKLMNPRTVWXZ";
    let pcl = [pick(&mut rng, PC_LETTERS), pick(&mut rng, PC_LETTERS)];
    let phone = rng.random_range(10_000_000..100_000_000u32);
    let give_onderwijsnummer = rng.random_bool(0.5);

    sc.id.clear();
    push_u64(&mut sc.id, 10_000_001 + i as u64);

    // pupils.csv
    let o = &mut out.pupils;
    o.extend_from_slice(&sc.id);
    o.push(b',');
    o.extend_from_slice(first.as_bytes());
    o.push(b' ');
    o.extend_from_slice(last.as_bytes());
    o.push(b',');
    o.extend_from_slice(&date_bytes(birth));
    o.push(b',');
    o.extend_from_slice(GROUPS[g].as_bytes());
    if let Some(letter) = classes.next_letter(g) {
        o.push(letter);
    }
    o.push(b',');
    o.extend_from_slice(if use_code { muni.code } else { muni.name }.as_bytes());
    o.push(b',');
    o.extend_from_slice(&date_bytes(efrom));
    o.push(b',');
    if let Some(u) = euntil {
        o.extend_from_slice(&date_bytes(u));
    }
    o.push(b',');
    o.extend_from_slice(next_school.as_bytes());
    o.push(b',');
    match bsn(i as u64, seed) {
        Some(b) => {
            o.extend_from_slice(&b);
            o.push(b',');
        }
        None => {
            o.push(b',');
            if give_onderwijsnummer {
                o.extend_from_slice(&onderwijsnummer(i as u64, seed));
            }
        }
    }
    o.push(b',');
    if has_contact {
        o.extend_from_slice(parent.as_bytes());
        o.push(b' ');
        o.extend_from_slice(last.as_bytes());
        o.push(b',');
        push_email_part(o, parent);
        o.push(b'.');
        push_email_part(o, last);
        o.extend_from_slice(b"@example.nl,06");
        push_u64(o, u64::from(phone));
        o.push(b',');
        o.extend_from_slice(street.as_bytes());
        o.push(b' ');
        push_u64(o, u64::from(house));
        o.push(b',');
        push_u64(o, u64::from(pc));
        o.push(b' ');
        o.extend_from_slice(&pcl);
        o.push(b',');
        o.extend_from_slice(muni.city.as_bytes());
    } else {
        o.extend_from_slice(b",,,,,");
    }
    o.push(b'\n');

    sc.regs.clear();
    sc.events.clear();
    if lo >= hi_excl {
        return;
    }
    let hi = hi_excl - 1;
    sc.occ.clear();
    sc.occ.resize(n_ld, FREE);
    let ctx = PupilCtx {
        cal,
        lo,
        hi,
        kleuter,
    };
    gen_registrations(&mut rng, &ctx, sc);

    if let Some((d, school)) = verwijdering.filter(|&(d, _)| d >= lo && d <= hi) {
        sc.events.push((d as u16, EventKind::Verwijdering, school));
    }

    // registrations.csv
    sc.regs.sort_by_key(|r| (r.start, r.code));
    for r in &sc.regs {
        let o = &mut out.regs;
        o.extend_from_slice(&sc.id);
        o.push(b',');
        o.extend_from_slice(r.code.as_str().as_bytes());
        o.push(b',');
        o.extend_from_slice(&cal.ld_str[r.start as usize]);
        if r.from_t != 0 {
            o.push(b'T');
            push_time(o, r.from_t);
        }
        o.push(b',');
        if r.to_t != 0 {
            o.extend_from_slice(&cal.ld_str[r.end as usize]);
            o.push(b'T');
            push_time(o, r.to_t);
        } else if r.end != r.start {
            o.extend_from_slice(&cal.ld_str[r.end as usize]);
        }
        o.push(b',');
        if r.code == Code::TeLaat {
            push_u64(o, u64::from(r.minutes));
        }
        o.push(b',');
        o.extend_from_slice(r.note.as_bytes());
        o.push(b'\n');
    }
    out.n_regs += sc.regs.len() as u64;

    // events.csv
    sc.events.sort();
    sc.events.dedup_by_key(|e| (e.0, e.1));
    for &(d, kind, note) in &sc.events {
        let o = &mut out.events;
        o.extend_from_slice(&sc.id);
        o.push(b',');
        o.extend_from_slice(&cal.ld_str[d as usize]);
        o.push(b',');
        o.extend_from_slice(
            match kind {
                EventKind::Verwijdering => "verwijdering",
                EventKind::ZorgZiekte => "zorg_ziekte",
                EventKind::OverigVerzuim => "overig_verzuim",
            }
            .as_bytes(),
        );
        o.push(b',');
        if kind != EventKind::ZorgZiekte {
            o.extend_from_slice(note.as_bytes());
        }
        o.push(b'\n');
    }
    out.n_events += sc.events.len() as u64;
}

/// Registrations (and the events that follow from them) of one pupil, in `sc.regs`/`sc.events`.
fn gen_registrations(rng: &mut ChaCha8Rng, ctx: &PupilCtx<'_>, sc: &mut Scratch) {
    let cal = ctx.cal;
    let (lo, hi) = (ctx.lo, ctx.hi);
    let span = hi - lo + 1;
    let occ = &mut sc.occ;
    let regs = &mut sc.regs;
    let events = &mut sc.events;
    let whole = |start: usize, end: usize, code: Code, note: &'static str| Reg {
        start: start as u16,
        end: end as u16,
        code,
        from_t: 0,
        to_t: 0,
        minutes: 0,
        note,
    };
    let mark = |occ: &mut [u8], a: usize, b: usize, v: u8| {
        for o in &mut occ[a..=b] {
            *o = v;
        }
    };
    // Registers absence over lesson days a..=b, one row per stretch between vakanties.
    let push_range = |occ: &mut Vec<u8>,
                      regs: &mut Vec<Reg>,
                      a: usize,
                      b: usize,
                      code: Code,
                      note: &'static str| {
        let mut s = a;
        for d in a..=b {
            if d == b || cal.ld_block[d + 1] != cal.ld_block[d] {
                regs.push(whole(s, d, code, note));
                s = d + 1;
            }
        }
        mark(occ, a, b, ABSENT);
    };

    // Thuiszitter: weeks of whole days ongeoorloofd.
    let roll = rng.random_range(0..1000u32);
    if roll < 2 && span > 30 {
        let a = lo + rng.random_range(0..span - 20);
        let b = (a + rng.random_range(25..=60usize)).min(hi);
        push_range(occ, regs, a, b, Code::Ongeoorloofd, "");
        if rng.random_bool(0.6) {
            let d = rng.random_range(a..=b);
            events.push((d as u16, EventKind::OverigVerzuim, pick(rng, &OVERIG_NOTES)));
        }
    } else if roll < 12 && span > 20 {
        // Heavy unauthorized absence: whole and part days until well over 960 minutes.
        let a = lo + rng.random_range(0..span - 15);
        let mut total = 0u32;
        let mut d = a;
        while total < 1050 && d <= hi {
            if occ[d] == FREE && rng.random_bool(0.55) {
                let wd = cal.ld_wd[d];
                if rng.random_bool(0.25) {
                    regs.push(Reg {
                        from_t: T0830,
                        to_t: T1200,
                        ..whole(d, d, Code::Ongeoorloofd, "")
                    });
                    total += 210;
                } else {
                    regs.push(whole(
                        d,
                        d,
                        Code::Ongeoorloofd,
                        pick(rng, &ONGEOORLOOFD_NOTES),
                    ));
                    total += day_minutes(ctx.kleuter, wd);
                }
                occ[d] = ABSENT;
            }
            d += 1;
        }
        if rng.random_bool(0.2) {
            let d = (d.min(hi)).max(a);
            events.push((d as u16, EventKind::OverigVerzuim, pick(rng, &OVERIG_NOTES)));
        }
    }

    // Next to a vakantie: luxe (0.5%) or granted vakantieverlof (3%).
    let edge_roll = rng.random_range(0..1000u32);
    if edge_roll < 35 && !cal.before_vac.is_empty() {
        let luxe = edge_roll < 5;
        let k = if luxe {
            rng.random_range(1..=3usize)
        } else {
            rng.random_range(1..=5usize)
        };
        let (a, b) = if luxe && rng.random_bool(0.4) && !cal.after_vac.is_empty() {
            let a = pick(rng, &cal.after_vac);
            (a, a + k - 1)
        } else {
            let b = pick(rng, &cal.before_vac);
            (b.saturating_sub(k - 1), b)
        };
        // vakantieverlof not in the first two lesweken (the first stretch is long enough anyway)
        if b < cal.ld.len() && ctx.free(occ, a, b) && (luxe || a >= 10) {
            if luxe {
                push_range(occ, regs, a, b, Code::Luxe, pick(rng, &LUXE_NOTES));
            } else {
                push_range(occ, regs, a, b, Code::Verlof, VAKANTIEVERLOF_NOTE);
            }
        }
    }

    // Sickness.
    let n_sick = match rng.random_range(0..100u32) {
        0..25 => 0,
        25..55 => 1,
        55..80 => 2,
        80..92 => 3,
        _ => 4,
    };
    let mut reports = 0;
    let mut long = false;
    let mut last_sick = lo;
    for _ in 0..n_sick {
        let len = if rng.random_bool(0.025) {
            rng.random_range(10..=15usize)
        } else {
            match rng.random_range(0..100u32) {
                0..40 => 1,
                40..65 => 2,
                65..80 => 3,
                80..92 => 4,
                _ => 5,
            }
        };
        for _attempt in 0..4 {
            let a = lo + rng.random_range(0..span);
            let b = (a + len - 1).min(hi);
            // stay within one stretch; a long report may end at the vakantie
            let mut b2 = a;
            while b2 < b && cal.ld_block[b2 + 1] == cal.ld_block[a] {
                b2 += 1;
            }
            let b = b2;
            // keep a present lesson day on both sides, so reports stay separate
            let before_ok = a == 0 || occ[a - 1] != ABSENT;
            let after_ok = b + 1 >= occ.len() || occ[b + 1] != ABSENT;
            if !(ctx.free(occ, a, b) && before_ok && after_ok) {
                continue;
            }
            if a == b && rng.random_bool(0.15) {
                // sent home during the day: from a time, until the end of the lesson day
                let wd = cal.ld_wd[a];
                let latest = if has_afternoon(ctx.kleuter, wd) {
                    13 * 60 + 30
                } else {
                    11 * 60
                };
                let from = 9 * 60 + 15 * rng.random_range(0..=((latest - 9 * 60) / 15) as u16);
                regs.push(Reg {
                    from_t: from,
                    ..whole(a, a, Code::Ziek, "")
                });
                occ[a] = ABSENT;
            } else {
                push_range(occ, regs, a, b, Code::Ziek, "");
            }
            reports += 1;
            long |= b - a >= 9;
            last_sick = a;
            break;
        }
    }
    if (reports >= 3 || long) && rng.random_bool(0.15) || rng.random_bool(0.001) {
        let d = (last_sick + 1).min(hi);
        events.push((d as u16, EventKind::ZorgZiekte, ""));
    }

    // Part-day geoorloofd (doctor, dentist).
    let n_geo = match rng.random_range(0..100u32) {
        0..50 => 0,
        50..80 => 1,
        80..95 => 2,
        _ => 3,
    };
    for _ in 0..n_geo {
        let d = lo + rng.random_range(0..span);
        if occ[d] != FREE {
            continue;
        }
        let wd = cal.ld_wd[d];
        let slots: &[(u16, u16)] = if has_afternoon(ctx.kleuter, wd) {
            &[
                (T0830, 600),
                (540, 630),
                (615, 690),
                (780, T1500),
                (T1245, 840),
            ]
        } else {
            &[(T0830, 600), (540, 630), (615, 690)]
        };
        let (f, t) = pick(rng, slots);
        regs.push(Reg {
            from_t: f,
            to_t: t,
            ..whole(d, d, Code::Geoorloofd, pick(rng, &GEOORLOOFD_NOTES))
        });
        occ[d] = ABSENT;
    }

    // Verlof for gewichtige omstandigheden.
    if rng.random_bool(0.05) {
        let a = lo + rng.random_range(0..span);
        let b = (a + rng.random_range(0..=1usize)).min(hi);
        if ctx.free(occ, a, b) {
            push_range(occ, regs, a, b, Code::Verlof, pick(rng, &VERLOF_NOTES));
        }
    }

    // The odd ongeoorloofd (part-)day, a third of them next to a vakantie.
    if rng.random_bool(0.03) {
        let d = if rng.random_bool(0.33) {
            if rng.random_bool(0.5) {
                pick(rng, &cal.before_vac)
            } else {
                pick(rng, &cal.after_vac)
            }
        } else {
            lo + rng.random_range(0..span)
        };
        if ctx.free(occ, d, d) {
            let wd = cal.ld_wd[d];
            if rng.random_bool(0.4) && has_afternoon(ctx.kleuter, wd) {
                regs.push(Reg {
                    from_t: T1245,
                    to_t: T1500,
                    ..whole(d, d, Code::Ongeoorloofd, pick(rng, &ONGEOORLOOFD_NOTES))
                });
            } else {
                regs.push(whole(
                    d,
                    d,
                    Code::Ongeoorloofd,
                    pick(rng, &ONGEOORLOOFD_NOTES),
                ));
            }
            occ[d] = ABSENT;
        }
    }

    // Schorsing.
    if rng.random_bool(0.001) {
        let a = lo + rng.random_range(0..span);
        let b = (a + rng.random_range(0..=1usize)).min(hi);
        if ctx.free(occ, a, b) {
            push_range(occ, regs, a, b, Code::Schorsing, "Schorsing na incident");
        }
    }

    // Random overig_verzuim.
    if rng.random_bool(0.001) {
        let d = lo + rng.random_range(0..span);
        events.push((d as u16, EventKind::OverigVerzuim, pick(rng, &OVERIG_NOTES)));
    }

    // Lateness.
    let n_late = if rng.random_bool(0.05) {
        rng.random_range(10..=20u32)
    } else {
        match rng.random_range(0..100u32) {
            0..70 => 0,
            70..88 => 1,
            88..96 => 2,
            96..98 => 3,
            _ => 4,
        }
    };
    for _ in 0..n_late {
        for _attempt in 0..3 {
            let d = lo + rng.random_range(0..span);
            if occ[d] != FREE {
                continue;
            }
            let minutes = pick(rng, &[2u16, 5, 5, 5, 10, 10, 15, 20, 25]);
            let arrival = if rng.random_bool(0.2) {
                T0830 + minutes
            } else {
                0
            };
            regs.push(Reg {
                from_t: arrival,
                minutes,
                ..whole(d, d, Code::TeLaat, "")
            });
            occ[d] = LATE;
            break;
        }
    }
}

/// A BSN for pupil `i`: the first eight digits run through a permutation of 10000000..99999999
/// (unique per pupil), the ninth makes the elfproef hold; `None` (~9%) where no digit can.
fn bsn(i: u64, seed: u64) -> Option<[u8; 9]> {
    const RANGE: u64 = 90_000_000;
    // 37_964_083 is coprime with 90_000_000 (= 2^7 * 3^2 * 5^7): i -> prefix is a bijection.
    let offset = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) % RANGE;
    let prefix = 10_000_000 + (i % RANGE * 37_964_083 + offset) % RANGE;
    let mut digits = [0u8; 9];
    let mut p = prefix;
    for k in (0..8).rev() {
        digits[k] = (p % 10) as u8;
        p /= 10;
    }
    let s: u32 = digits[..8]
        .iter()
        .enumerate()
        .map(|(k, &d)| u32::from(d) * (9 - k as u32))
        .sum();
    let check = s % 11;
    if check == 10 {
        return None;
    }
    digits[8] = check as u8;
    Some(digits.map(|d| b'0' + d))
}

/// An onderwijsnummer: starts with 10, weighted sum ≡ 5 (mod 11).
fn onderwijsnummer(i: u64, seed: u64) -> [u8; 9] {
    let mut n = (i.wrapping_mul(7_919) ^ seed) % 1_000_000;
    loop {
        let mut digits = [1u8, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut p = n;
        for k in (2..8).rev() {
            digits[k] = (p % 10) as u8;
            p /= 10;
        }
        let s: i32 = digits[..8]
            .iter()
            .enumerate()
            .map(|(k, &d)| i32::from(d) * (9 - k as i32))
            .sum();
        let check = (s - 5).rem_euclid(11);
        if check < 10 {
            digits[8] = check as u8;
            return digits.map(|d| b'0' + d);
        }
        n = (n + 1) % 1_000_000;
    }
}

fn push_u64(o: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut k = buf.len();
    loop {
        k -= 1;
        buf[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    o.extend_from_slice(&buf[k..]);
}

fn push_time(o: &mut Vec<u8>, t: u16) {
    let (h, m) = (t / 60, t % 60);
    o.extend_from_slice(&[
        b'0' + (h / 10) as u8,
        b'0' + (h % 10) as u8,
        b':',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
    ]);
}

fn push_email_part(o: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            o.push(b.to_ascii_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> TempDir {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let p = std::env::temp_dir().join(format!(
                "verzuim-generate-test-{}-{}-{}",
                std::process::id(),
                nanos,
                n
            ));
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn run(pupils: usize, seed: u64, dir: &Path) -> GenerateSummary {
        generate(&GenerateOptions {
            pupils,
            seed,
            out: dir.to_path_buf(),
            school_year: 2026,
        })
        .unwrap()
    }

    fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
        [
            "school.toml",
            "pupils.csv",
            "registrations.csv",
            "events.csv",
        ]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect()
    }

    fn parse_day(s: &str) -> Day {
        let y: i32 = s[0..4].parse().unwrap();
        let m: i8 = s[5..7].parse().unwrap();
        let d: i8 = s[8..10].parse().unwrap();
        assert_eq!(date_string(ymd(y, m, d)), s[..10]);
        ymd(y, m, d)
    }

    #[test]
    fn same_seed_gives_identical_bytes() {
        let (a, b) = (TempDir::new(), TempDir::new());
        // more than one chunk, so the threads take part
        let sa = run(5000, 42, &a.0);
        let sb = run(5000, 42, &b.0);
        assert_eq!(sa.registrations, sb.registrations);
        assert_eq!(read_all(&a.0), read_all(&b.0));
        assert!(sa.registrations > 5000, "{sa}");
    }

    #[test]
    fn output_does_not_depend_on_the_number_of_threads() {
        let (a, b) = (TempDir::new(), TempDir::new());
        let opts = |dir: &Path| GenerateOptions {
            pupils: 3 * CHUNK + 17,
            seed: 9,
            out: dir.to_path_buf(),
            school_year: 2026,
        };
        generate_with_threads(&opts(&a.0), 1).unwrap();
        generate_with_threads(&opts(&b.0), 3).unwrap();
        assert_eq!(read_all(&a.0), read_all(&b.0));
    }

    #[test]
    fn bsns_are_unique_and_pass_the_elfproef() {
        let mut seen = BTreeSet::new();
        let mut missing = 0;
        for i in 0..20_000 {
            match bsn(i, 5) {
                Some(b) => {
                    let w = [9i32, 8, 7, 6, 5, 4, 3, 2, -1];
                    let s: i32 = b.iter().zip(w).map(|(d, w)| i32::from(d - b'0') * w).sum();
                    assert_eq!(s % 11, 0);
                    assert!(seen.insert(b));
                }
                None => missing += 1,
            }
        }
        assert!((1000..3000).contains(&missing), "{missing}");
    }

    #[test]
    fn different_seed_differs() {
        let (a, b) = (TempDir::new(), TempDir::new());
        run(300, 1, &a.0);
        run(300, 2, &b.0);
        let (fa, fb) = (read_all(&a.0), read_all(&b.0));
        assert_eq!(fa[0], fb[0], "school.toml depends on the year only");
        assert_ne!(fa[1], fb[1]);
        assert_ne!(fa[2], fb[2]);
    }

    #[test]
    fn registrations_only_on_lesson_days_and_never_overlapping() {
        let dir = TempDir::new();
        let summary = run(4000, 7, &dir.0);
        let cal = Calendar::new(2026).unwrap();
        let lesson: BTreeSet<Day> = cal.ld.iter().copied().collect();
        let weekend_or_closed =
            |d: Day| weekday(d) >= 5 || cal.closed.iter().any(|c| c.from <= d && d <= c.until);

        let pupils = std::fs::read_to_string(dir.0.join("pupils.csv")).unwrap();
        let mut enrol: BTreeMap<String, (Day, Option<Day>)> = BTreeMap::new();
        for line in pupils.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), 16, "{line}");
            let until = (!c[6].is_empty()).then(|| parse_day(c[6]));
            enrol.insert(c[0].to_string(), (parse_day(c[5]), until));
            if !c[8].is_empty() {
                let w = [9, 8, 7, 6, 5, 4, 3, 2, -1];
                let s: i32 = c[8]
                    .bytes()
                    .zip(w)
                    .map(|(b, w)| i32::from(b - b'0') * w)
                    .sum();
                assert_eq!(s % 11, 0, "elfproef {}", c[8]);
            }
        }
        assert_eq!(enrol.len(), 4000);

        let regs = std::fs::read_to_string(dir.0.join("registrations.csv")).unwrap();
        let mut absent: BTreeSet<(String, Day)> = BTreeSet::new();
        let mut late: BTreeSet<(String, Day)> = BTreeSet::new();
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        let mut n = 0;
        for line in regs.lines().skip(1) {
            n += 1;
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), 6, "{line}");
            let (pid, code, start, end, minutes) = (c[0], c[1], c[2], c[3], c[4]);
            *codes.entry(code.to_string()).or_default() += 1;
            let s = parse_day(start);
            let e = if end.is_empty() { s } else { parse_day(end) };
            assert!(s <= e, "{line}");
            assert!(!weekend_or_closed(s) && !weekend_or_closed(e), "{line}");
            let (ef, eu) = enrol[pid];
            assert!(
                s >= ef && eu.is_none_or(|u| e <= u),
                "outside enrolment: {line}"
            );
            if start.len() > 10 || end.len() > 10 {
                assert_eq!(s, e, "{line}");
            }
            assert_eq!(code == "te_laat", !minutes.is_empty(), "{line}");
            if code == "ziek" {
                assert!(c[5].is_empty(), "{line}");
            }
            // a range never spans a vakantie
            for v in cal.closed.iter().filter(|c| c.kind == ClosedKind::Vakantie) {
                assert!(!(s < v.from && v.until < e), "spans {}: {line}", v.name);
            }
            for d in lesson.range(s..=e) {
                let key = (pid.to_string(), *d);
                if code == "te_laat" {
                    assert!(late.insert(key), "two latenesses: {line}");
                } else {
                    assert!(absent.insert(key), "overlapping absence: {line}");
                }
            }
        }
        assert_eq!(n as u64, summary.registrations);
        for key in &late {
            assert!(!absent.contains(key), "lateness on an absent day {key:?}");
        }
        for code in [
            "ziek",
            "te_laat",
            "geoorloofd",
            "ongeoorloofd",
            "verlof",
            "luxe",
        ] {
            assert!(
                codes.get(code).copied().unwrap_or(0) > 0,
                "no {code}: {codes:?}"
            );
        }

        let events = std::fs::read_to_string(dir.0.join("events.csv")).unwrap();
        for line in events.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), 4, "{line}");
            let d = parse_day(c[1]);
            assert!(lesson.contains(&d), "{line}");
            let (ef, eu) = enrol[c[0]];
            assert!(d >= ef && eu.is_none_or(|u| d <= u), "{line}");
            match c[2] {
                "zorg_ziekte" => assert!(c[3].is_empty()),
                "verwijdering" | "overig_verzuim" => assert!(!c[3].is_empty()),
                other => panic!("unknown event {other}"),
            }
        }
    }

    #[test]
    fn calendar_2026_matches_the_table() {
        let cal = Calendar::new(2026).unwrap();
        let toml = cal.school_toml("99XX01", "OBS", &Classes::single());
        for needle in [
            "from = 2026-08-01\nuntil = 2026-08-16",
            "from = 2026-10-09\nuntil = 2026-10-09",
            "from = 2026-10-10\nuntil = 2026-10-18",
            "from = 2026-12-19\nuntil = 2027-01-03",
            "from = 2027-02-20\nuntil = 2027-02-28",
            "name = \"Goede Vrijdag\"\nkind = \"vrije_dag\"\nfrom = 2027-03-26",
            "from = 2027-04-24\nuntil = 2027-05-02",
            "name = \"Hemelvaartsdag\"\nkind = \"vrije_dag\"\nfrom = 2027-05-06",
            "from = 2027-07-10\nuntil = 2027-08-22",
        ] {
            assert!(toml.contains(needle), "{needle}\n{toml}");
        }
        assert!(
            !toml.contains("Koningsdag"),
            "Koningsdag 2027 is in the meivakantie"
        );
        assert_eq!(date_string(cal.ld[0]), "2026-08-17");
        assert_eq!(date_string(*cal.ld.last().unwrap()), "2027-07-09");
        // last lesson day before the herfstvakantie is the Thursday (studiedag on Friday)
        assert!(
            cal.before_vac
                .iter()
                .any(|&i| date_string(cal.ld[i]) == "2026-10-08")
        );
    }

    #[test]
    fn other_years_keep_weekdays_and_unsupported_years_fail() {
        for y in [2025, 2027, 2030] {
            let cal = Calendar::new(y).unwrap();
            for c in cal.closed.iter().filter(|c| c.kind == ClosedKind::Vakantie) {
                if !c.name.starts_with("Zomervakantie 20") {
                    assert_eq!(weekday(c.from), 5, "{} {}", c.name, date_string(c.from));
                }
                assert_eq!(weekday(c.until), 6, "{} {}", c.name, date_string(c.until));
            }
            let kerst = cal
                .closed
                .iter()
                .find(|c| c.name == "Kerstvakantie")
                .unwrap();
            assert!(kerst.from <= ymd(i32::from(y), 12, 25));
            assert!(kerst.until >= ymd(i32::from(y) + 1, 1, 1));
        }
        let err = Calendar::new(1990).err().unwrap().to_string();
        assert!(err.contains("wordt niet ondersteund"), "{err}");
    }

    #[test]
    fn dates_and_numbers() {
        assert_eq!(date_string(ymd(2026, 8, 1)), "2026-08-01");
        assert_eq!(weekday(ymd(2026, 8, 1)), 5);
        assert_eq!(date_string(add_years(ymd(2020, 2, 29), 1)), "2021-02-28");
        assert_eq!(dutch_thousands(0), "0");
        assert_eq!(dutch_thousands(12_345), "12.345");
        assert_eq!(dutch_thousands(1_234_567), "1.234.567");
        let s = GenerateSummary {
            pupils: 12_345,
            registrations: 234_567,
            events: 89,
            dir: PathBuf::from("uit"),
            files: vec![],
        };
        assert_eq!(
            s.to_string(),
            "12.345 leerlingen, 234.567 registraties, 89 gebeurtenissen geschreven naar uit"
        );
        for i in 0..1000 {
            let o = onderwijsnummer(i, 3);
            let w = [9i32, 8, 7, 6, 5, 4, 3, 2, -1];
            let s: i32 = o.iter().zip(w).map(|(b, w)| i32::from(b - b'0') * w).sum();
            assert_eq!(s.rem_euclid(11), 5);
            assert_eq!(&o[..2], b"10");
        }
    }
}
