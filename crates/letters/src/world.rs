//! The typst world of one letter: the templates (built in or from the template directory),
//! `data.json`, the logo, the embedded fonts and the letter's date as "today".

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::templates;

/// The virtual path of the letter's data.
pub(crate) const DATA_PATH: &str = "/data.json";

/// The standard library, built once: letters use no `sys.inputs`.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The fonts embedded in the binary (Liberation Sans, SIL OFL 1.1: see `fonts/`).
static EMBEDDED_FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];

/// The fonts a [`crate::Letters`] offers: the embedded ones and those of the template
/// directory's `fonts/` folder.
pub(crate) struct FontSet {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

impl FontSet {
    /// The embedded fonts plus `extra` font files (TTF, OTF, TTC). Returns the files that held
    /// no font.
    pub fn load(extra: &[(PathBuf, Vec<u8>)]) -> (FontSet, Vec<PathBuf>) {
        let mut fonts: Vec<Font> = EMBEDDED_FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let mut unreadable = Vec::new();
        for (path, data) in extra {
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(data.clone())));
            if fonts.len() == before {
                unreadable.push(path.clone());
            }
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        (FontSet { book, fonts }, unreadable)
    }
}

/// Everything typst may read while it compiles one letter.
pub(crate) struct LetterWorld<'a> {
    fonts: &'a FontSet,
    template_dir: Option<&'a Path>,
    main: FileId,
    data: Bytes,
    logo: Option<(FileId, Bytes)>,
    today: Datetime,
    /// Files read during this compilation, so that each is read once and stays the same.
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
}

impl<'a> LetterWorld<'a> {
    pub fn new(
        fonts: &'a FontSet,
        template_dir: Option<&'a Path>,
        main_template: &str,
        data: Vec<u8>,
        logo: Option<(String, Vec<u8>)>,
        today: Datetime,
    ) -> Self {
        LetterWorld {
            fonts,
            template_dir,
            main: file_id(&format!("/{main_template}")),
            data: Bytes::new(data),
            logo: logo.map(|(path, bytes)| (file_id(&path), Bytes::new(bytes))),
            today,
            files: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        }
    }

    /// Where a template file of this world comes from: the override directory's file when
    /// it has one.
    pub fn override_path(&self, name: &str) -> Option<PathBuf> {
        let dir = self.template_dir?;
        let path = VirtualPath::new(name).resolve(dir)?;
        path.is_file().then_some(path)
    }

    fn read(&self, id: FileId) -> FileResult<Bytes> {
        if id.package().is_some() {
            return Err(FileError::Package(PackageError::Other(Some(
                "typst packages are not available to letters: put the file in the template directory"
                    .into(),
            ))));
        }
        if id.vpath().as_rooted_path() == Path::new(DATA_PATH) {
            return Ok(self.data.clone());
        }
        if let Some((logo_id, bytes)) = &self.logo
            && *logo_id == id
        {
            return Ok(bytes.clone());
        }
        if let Some(dir) = self.template_dir
            && let Some(path) = id.vpath().resolve(dir)
        {
            match fs::read(&path) {
                Ok(bytes) => return Ok(Bytes::new(bytes)),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(FileError::from_io(err, &path)),
            }
        }
        let name = id.vpath().as_rootless_path().to_string_lossy();
        match templates::builtin(&name) {
            Some(text) => Ok(Bytes::new(text.as_bytes())),
            None => Err(FileError::NotFound(id.vpath().as_rooted_path().into())),
        }
    }
}

/// A poisoned cache is still a good cache: it only ever holds whole entries.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn file_id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = lock(&self.sources).get(&id) {
            return source.clone();
        }
        let source = self.file(id).and_then(|bytes| {
            let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text.to_owned()))
        });
        lock(&self.sources).insert(id, source.clone());
        source
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        lock(&self.files)
            .entry(id)
            .or_insert_with(|| self.read(id))
            .clone()
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Some(self.today)
    }
}
