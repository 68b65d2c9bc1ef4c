//! `verzuim generate --schools N [--municipalities M]`: a whole region or country of synthetic
//! schools, one folder per school in the formats of formats.md, easy to load school by school.
//!
//! ```text
//! DIR/schools.csv          school_id,name,municipality,municipality_name,pupils,registrations,events,folder
//! DIR/municipalities.csv   municipality,name,schools,pupils
//! DIR/<school_id>/         school.toml, pupils.csv, registrations.csv, events.csv
//! ```
//!
//! - **School sizes**: log-normal, median about 200 pupils and σ = 0.5 (Dutch primary schools:
//!   about 1.4 million pupils in 6,000+ schools, mean about 225; roughly 1 in 12 under 100 pupils
//!   and 1 in 12 over 400), scaled so that the sizes add up to `--pupils` exactly (largest
//!   remainder).
//! - **Municipalities**: sizes by rank (weight rank^-0.55: the largest holds about 3% of the
//!   schools, as Amsterdam does; the smallest a few), every municipality at least one school. The
//!   first eleven are the Twente municipalities of the one-school generator; the others get
//!   synthetic names and codes `GM9xxx` (no real municipality has them).
//! - **Pupils**: exactly the one-school generator's (groups, birth dates, absence patterns,
//!   events), in parallel classes of at most about 30 (`3-4a`, `3-4b`, …; the kleuter classes
//!   `1-2a`, … with the kleuters' lesson times in school.toml); 92% live in the school's
//!   municipality, the rest anywhere in the region. Pupil number `i` of the whole region decides
//!   its id (`10000001 + i`, unique in the region), its BSN (unique) and its random stream, so
//!   the output is a pure function of the options and the seed, whatever the number of threads.
//!
//! Every school shares the one-school generator's calendar (regio noord) and lesson times.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::generate::{
    Calendar, ChunkOut, Classes, EVENTS_HEADER, Homes, MUNICIPALITIES, Municipality, PUPILS_HEADER,
    REGS_HEADER, Scratch, dutch_thousands, gen_pupil,
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct RegionOptions {
    pub pupils: usize,
    pub schools: usize,
    pub municipalities: usize,
    pub seed: u64,
    pub out: PathBuf,
    pub school_year: i16,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSummary {
    pub pupils: u64,
    pub schools: usize,
    pub municipalities: usize,
    pub registrations: u64,
    pub events: u64,
    pub dir: PathBuf,
}

impl fmt::Display for RegionSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} leerlingen op {} scholen in {} gemeenten, {} registraties, {} gebeurtenissen \
             geschreven naar {}",
            dutch_thousands(self.pupils),
            dutch_thousands(self.schools as u64),
            dutch_thousands(self.municipalities as u64),
            dutch_thousands(self.registrations),
            dutch_thousands(self.events),
            self.dir.display()
        )
    }
}

/// One municipality of the region, owned.
#[derive(Debug, Clone)]
struct Place {
    name: String,
    code: String,
    city: String,
    postcode: (u32, u32),
}

impl Place {
    fn view(&self) -> Municipality<'_> {
        Municipality {
            name: &self.name,
            code: &self.code,
            city: &self.city,
            postcode: self.postcode,
            weight: 1,
        }
    }
}

/// One school of the region: which pupils (`first..first + pupils` of the region) and where.
#[derive(Debug, Clone)]
struct Plan {
    id: String,
    name: String,
    municipality: usize,
    first: usize,
    pupils: usize,
}

/// Default number of municipalities for `schools` schools: the country's ratio (about 18
/// schools per municipality).
pub fn default_municipalities(schools: usize) -> usize {
    schools.div_ceil(18).max(1)
}

/// Generates the region; see the module documentation.
pub fn generate_region(opts: &RegionOptions) -> Result<RegionSummary> {
    if opts.schools == 0 || opts.municipalities == 0 {
        bail!("--schools en --municipalities moeten minstens 1 zijn");
    }
    if opts.municipalities > opts.schools {
        bail!(
            "--municipalities ({}) mag niet groter zijn dan --schools ({}): elke gemeente krijgt minstens één school",
            opts.municipalities,
            opts.schools
        );
    }
    if opts.pupils < opts.schools {
        bail!(
            "--pupils ({}) moet minstens --schools ({}) zijn: elke school krijgt minstens één leerling",
            opts.pupils,
            opts.schools
        );
    }
    let cal = Calendar::new(opts.school_year)?;
    let places = places(opts.municipalities);
    let views: Vec<Municipality<'_>> = places.iter().map(Place::view).collect();
    let plans = plans(opts, &places);
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("kan de map {} niet aanmaken", opts.out.display()))?;

    let base = ChaCha8Rng::seed_from_u64(opts.seed);
    let written: Vec<(u64, u64)> = plans
        .par_iter()
        .map(|plan| write_school(&opts.out, &cal, plan, &views, opts.seed, &base))
        .collect::<Result<_>>()?;

    let mut schools_csv = String::from(
        "school_id,name,municipality,municipality_name,pupils,registrations,events,folder\n",
    );
    let mut per_place = vec![(0usize, 0usize); places.len()];
    for (plan, (regs, events)) in plans.iter().zip(&written) {
        let place = &places[plan.municipality];
        schools_csv.push_str(&format!(
            "{},{},{},{},{},{regs},{events},{}\n",
            plan.id, plan.name, place.code, place.name, plan.pupils, plan.id
        ));
        per_place[plan.municipality].0 += 1;
        per_place[plan.municipality].1 += plan.pupils;
    }
    let mut places_csv = String::from("municipality,name,schools,pupils\n");
    for (place, (schools, pupils)) in places.iter().zip(&per_place) {
        places_csv.push_str(&format!(
            "{},{},{schools},{pupils}\n",
            place.code, place.name
        ));
    }
    for (name, text) in [
        ("schools.csv", schools_csv),
        ("municipalities.csv", places_csv),
    ] {
        let path = opts.out.join(name);
        std::fs::write(&path, text)
            .with_context(|| format!("kan {} niet schrijven", path.display()))?;
    }
    Ok(RegionSummary {
        pupils: opts.pupils as u64,
        schools: opts.schools,
        municipalities: opts.municipalities,
        registrations: written.iter().map(|w| w.0).sum(),
        events: written.iter().map(|w| w.1).sum(),
        dir: opts.out.clone(),
    })
}

/// Writes one school's folder; returns its numbers of registrations and events.
fn write_school(
    out: &Path,
    cal: &Calendar,
    plan: &Plan,
    places: &[Municipality<'_>],
    seed: u64,
    base: &ChaCha8Rng,
) -> Result<(u64, u64)> {
    let dir = out.join(&plan.id);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("kan de map {} niet aanmaken", dir.display()))?;
    let homes = Homes::Region {
        own: places[plan.municipality],
        all: places,
    };
    let mut chunk = ChunkOut::default();
    let mut scratch = Scratch::default();
    let mut classes = Classes::for_school(plan.pupils);
    for i in plan.first..plan.first + plan.pupils {
        gen_pupil(
            i,
            seed,
            base,
            cal,
            homes,
            &mut classes,
            &mut scratch,
            &mut chunk,
        );
    }
    let school = cal.school_toml(&plan.id, &plan.name, &classes);
    let files: [(&str, &[u8], &[u8]); 4] = [
        ("school.toml", school.as_bytes(), &[]),
        ("pupils.csv", PUPILS_HEADER.as_bytes(), &chunk.pupils),
        ("registrations.csv", REGS_HEADER.as_bytes(), &chunk.regs),
        ("events.csv", EVENTS_HEADER.as_bytes(), &chunk.events),
    ];
    for (name, head, body) in files {
        let path = dir.join(name);
        std::fs::write(&path, [head, body].concat())
            .with_context(|| format!("kan {} niet schrijven", path.display()))?;
    }
    Ok((chunk.n_regs, chunk.n_events))
}

const SYLLABLES: [&str; 16] = [
    "Aal", "Bor", "Dal", "Eek", "Hol", "Ken", "Lin", "Mar", "Oost", "Ros", "Sta", "Wes", "Zuid",
    "Nij", "Ter", "Vel",
];
const ENDINGS: [&str; 12] = [
    "dam", "dorp", "veen", "hoven", "berg", "horst", "wijk", "lo", "sum", "huizen", "broek", "meer",
];

/// The region's municipalities: the Twente ones first, then synthetic ones.
fn places(n: usize) -> Vec<Place> {
    (0..n)
        .map(|m| match MUNICIPALITIES.get(m) {
            Some(real) => Place {
                name: real.name.to_string(),
                code: real.code.to_string(),
                city: real.city.to_string(),
                postcode: real.postcode,
            },
            None => {
                let k = m - MUNICIPALITIES.len();
                let mut name = format!(
                    "{}{}",
                    SYLLABLES[k % SYLLABLES.len()],
                    ENDINGS[(k / SYLLABLES.len()) % ENDINGS.len()]
                );
                let round = k / (SYLLABLES.len() * ENDINGS.len());
                if round > 0 {
                    name.push_str(&format!(" {}", round + 1));
                }
                let low = 1000 + (k as u32 * 23) % 8900;
                Place {
                    city: name.clone(),
                    name,
                    code: format!("GM9{:03}", k % 1000),
                    postcode: (low, low + 9),
                }
            }
        })
        .collect()
}

const KINDS: [&str; 7] = [
    "OBS",
    "CBS",
    "RKBS",
    "IKC",
    "Daltonschool",
    "Montessorischool",
    "Jenaplanschool",
];
const NAMES: [&str; 16] = [
    "De Regenboog",
    "Het Palet",
    "De Wielewaal",
    "De Bongerd",
    "Het Kristal",
    "De Zevensprong",
    "De Vlier",
    "De Triangel",
    "De Akker",
    "De Marke",
    "Het Kompas",
    "De Springplank",
    "De Wegwijzer",
    "Het Anker",
    "De Linde",
    "De Es",
];

/// A BRIN-like id: two digits, two letters, vestiging `00`; unique for the first 67,600 schools.
fn school_id(k: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    format!("{:02}{}{}00", k % 100, letter(k / 100), letter(k / 2600))
}

/// The schools: their sizes, municipalities, ids and names, and which pupils they hold.
fn plans(opts: &RegionOptions, places: &[Place]) -> Vec<Plan> {
    // Sizes: log-normal weights from the seed, then apportioned to the total.
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5C40_01DE_51E5);
    let weights: Vec<f64> = (0..opts.schools)
        .map(|_| {
            let u1: f64 = 1.0 - rng.random::<f64>();
            let u2: f64 = rng.random::<f64>();
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            (0.5 * z).exp()
        })
        .collect();
    let mut sizes = apportion(opts.pupils - opts.schools, &weights);
    for size in &mut sizes {
        *size += 1;
    }
    // Municipalities by rank: at least one school each.
    let place_weights: Vec<f64> = (1..=places.len())
        .map(|rank| (rank as f64).powf(-0.55))
        .collect();
    let per_place = apportion(opts.schools - places.len(), &place_weights);
    let mut municipality_of = Vec::with_capacity(opts.schools);
    for (m, extra) in per_place.iter().enumerate() {
        municipality_of.extend(std::iter::repeat_n(m, extra + 1));
    }
    let mut first = 0;
    (0..opts.schools)
        .map(|k| {
            let municipality = municipality_of[k];
            let name = format!(
                "{} {} {}",
                KINDS[k % KINDS.len()],
                NAMES[(k / KINDS.len()) % NAMES.len()],
                places[municipality].name
            );
            let plan = Plan {
                id: school_id(k),
                name,
                municipality,
                first,
                pupils: sizes[k],
            };
            first += sizes[k];
            plan
        })
        .collect()
}

/// Splits `total` in proportion to `weights` (largest remainder; ties to the lower index), so
/// that the parts add up to `total` exactly.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let given: usize = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &k in order.iter().cycle().take(total.saturating_sub(given)) {
        parts[k] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn options(dir: &Path, pupils: usize, schools: usize, municipalities: usize) -> RegionOptions {
        RegionOptions {
            pupils,
            schools,
            municipalities,
            seed: 3,
            out: dir.to_path_buf(),
            school_year: 2026,
        }
    }

    #[test]
    fn apportion_adds_up() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), [4, 3, 3]);
        assert_eq!(apportion(7, &[3.0, 1.0]), [5, 2]);
        assert_eq!(apportion(0, &[1.0]), [0]);
        let parts = apportion(1_400_000, &[0.3, 2.0, 0.7, 1.1]);
        assert_eq!(parts.iter().sum::<usize>(), 1_400_000);
    }

    /// The country's shape: 1.4 million pupils in 6,300 schools and 342 municipalities (plans
    /// only, nothing written): sizes add up, a realistic spread, every municipality has a school
    /// and the largest about 3% of them, ids unique.
    #[test]
    fn the_country_plan() {
        let opts = options(Path::new("unused"), 1_400_000, 6_300, 342);
        let places = places(342);
        let plans = plans(&opts, &places);
        assert_eq!(plans.len(), 6_300);
        assert_eq!(plans.iter().map(|p| p.pupils).sum::<usize>(), 1_400_000);
        let mut sizes: Vec<usize> = plans.iter().map(|p| p.pupils).collect();
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        assert!((170..=240).contains(&median), "median {median}");
        let small = sizes.iter().filter(|&&s| s < 100).count();
        let large = sizes.iter().filter(|&&s| s > 400).count();
        assert!((300..=900).contains(&small), "{small} schools under 100");
        assert!((300..=900).contains(&large), "{large} schools over 400");
        let ids: BTreeSet<&str> = plans.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), plans.len());
        let mut per_place = vec![0usize; places.len()];
        for p in &plans {
            per_place[p.municipality] += 1;
        }
        assert!(per_place.iter().all(|&n| n >= 1));
        let largest = *per_place.iter().max().unwrap();
        assert!(
            (120..=300).contains(&largest),
            "largest municipality: {largest} schools"
        );
        let codes: BTreeSet<&str> = places.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 342);
        // Pupil numbers run on from school to school.
        for pair in plans.windows(2) {
            assert_eq!(pair[1].first, pair[0].first + pair[0].pupils);
        }
    }

    /// A small region, written twice: the same bytes; one folder per school that reads as valid
    /// input; pupil ids unique in the region; the index files add up.
    #[test]
    fn a_region_is_deterministic_and_valid() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let summary = generate_region(&options(a.path(), 900, 5, 2)).unwrap();
        generate_region(&options(b.path(), 900, 5, 2)).unwrap();
        assert_eq!(summary.pupils, 900);
        let index = std::fs::read_to_string(a.path().join("schools.csv")).unwrap();
        assert_eq!(
            index,
            std::fs::read_to_string(b.path().join("schools.csv")).unwrap()
        );
        let mut ids = BTreeSet::new();
        let mut pupils = 0;
        let mut regs = 0;
        for line in index.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let folder = a.path().join(fields[7]);
            for file in [
                "school.toml",
                "pupils.csv",
                "registrations.csv",
                "events.csv",
            ] {
                assert_eq!(
                    std::fs::read(folder.join(file)).unwrap(),
                    std::fs::read(b.path().join(fields[7]).join(file)).unwrap(),
                    "{file}"
                );
            }
            let input = verzuim_exchange::load(&verzuim_exchange::InputFiles {
                school: folder.join("school.toml"),
                pupils: folder.join("pupils.csv"),
                registrations: folder.join("registrations.csv"),
                events: Some(folder.join("events.csv")),
                details: false,
            })
            .unwrap_or_else(|e| panic!("{}: {}", fields[0], e[0]));
            assert_eq!(input.school.id, fields[0]);
            assert_eq!(input.pupils.len().to_string(), fields[4]);
            // Classes of at most about 30, the kleuter classes with the kleuters' times.
            let mut per_class = std::collections::BTreeMap::<&str, usize>::new();
            for p in &input.pupils {
                *per_class.entry(p.record.pupil.group.as_str()).or_default() += 1;
            }
            assert!(per_class.values().all(|&n| n <= 40), "{per_class:?}");
            if input.pupils.len() > 150 {
                assert!(per_class.len() > 4, "{per_class:?}");
            }
            for class in per_class.keys().filter(|g| g.starts_with("1-2")) {
                assert!(input.school.groups.contains_key(*class), "{class}");
            }
            for p in &input.pupils {
                assert!(
                    ids.insert(p.record.pupil.id.clone()),
                    "{}",
                    p.record.pupil.id
                );
            }
            pupils += input.pupils.len();
            regs += input
                .pupils
                .iter()
                .map(|p| p.record.registrations.len() as u64)
                .sum::<u64>();
        }
        assert_eq!(pupils, 900);
        assert_eq!(regs, summary.registrations);
        let places = std::fs::read_to_string(a.path().join("municipalities.csv")).unwrap();
        assert_eq!(places.lines().count(), 3, "{places}");
    }

    #[test]
    fn impossible_options_are_refused_in_dutch() {
        let dir = Path::new("unused");
        let err = generate_region(&options(dir, 900, 2, 3)).unwrap_err();
        assert!(err.to_string().contains("elke gemeente"), "{err}");
        let err = generate_region(&options(dir, 1, 2, 1)).unwrap_err();
        assert!(err.to_string().contains("elke school"), "{err}");
    }
}
