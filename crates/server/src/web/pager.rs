//! Pages of a long list (`?pagina=`): the inbox of a school, the meldingen of a municipality,
//! GGD-JGZ's referrals and the audit log show a page at a time, with links to the pages before and after that keep
//! the list's filters (issue 13.3: a school of 900 pupils has 700+ open tasks, a large
//! municipality 900+ meldingen; all on one page took 0.5-1 MB of HTML and p95 > 500 ms with 32
//! users at once).
//!
//! The template `pager.html` shows it; a page includes it where `pager` is in scope.

use crate::nl::plural;

/// The links and the words of one page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// The page shown, from 1.
    pub page: u32,
    /// The rows of the whole list in words ("235 meldingen"); empty when not counted.
    pub count: String,
    /// "Pagina 2 van 5 (leerlingen 51-100 van 230)"; "Pagina 2" when the number of pages is not
    /// known.
    pub label: String,
    /// The previous and the next page (path and query), `None` at either end.
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The page `page` (from 1; beyond the last: the last) of `total` rows, `per_page` on
    /// each, counted as `noun` ("leerling", "leerlingen"), at `path` with the list's other query
    /// `params` (empty values left out). Also the rows of that page: `start..end`.
    pub fn counted(
        path: &str,
        params: &[(&str, &str)],
        page: u32,
        per_page: usize,
        total: usize,
        noun: (&str, &str),
    ) -> (Pager, std::ops::Range<usize>) {
        let per_page = per_page.max(1);
        let pages = u32::try_from(total.div_ceil(per_page).max(1)).unwrap_or(u32::MAX);
        let page = page.clamp(1, pages);
        let start = (page as usize - 1) * per_page;
        let end = (start + per_page).min(total);
        let label = if pages == 1 {
            String::new()
        } else {
            format!(
                "Pagina {page} van {pages} ({} {}-{} van {total})",
                if total == 1 { noun.0 } else { noun.1 },
                start + 1,
                end
            )
        };
        let pager = Pager {
            page,
            count: plural(i64::try_from(total).unwrap_or(i64::MAX), noun.0, noun.1),
            label,
            prev: (page > 1).then(|| href(path, params, page - 1)),
            next: (page < pages).then(|| href(path, params, page + 1)),
        };
        (pager, start..end)
    }

    /// Page `page` of a list whose length is not counted: there is a next page when the store
    /// returned more than a page (`more`).
    pub fn uncounted(path: &str, params: &[(&str, &str)], page: u32, more: bool) -> Pager {
        let page = page.max(1);
        Pager {
            page,
            count: String::new(),
            label: if page == 1 && !more {
                String::new()
            } else {
                format!("Pagina {page}")
            },
            prev: (page > 1).then(|| href(path, params, page - 1)),
            next: more.then(|| href(path, params, page + 1)),
        }
    }

    /// Whether there is more than one page (the template shows the navigation only then).
    pub fn is_paged(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
    }
}

/// `path?k=v&…&pagina=n`, the values URL-encoded, empty ones left out; page 1 without `pagina`.
pub fn href(path: &str, params: &[(&str, &str)], page: u32) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", super::url_part(v)))
        .collect();
    if page > 1 {
        pairs.push(format!("pagina={page}"));
    }
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOUN: (&str, &str) = ("leerling", "leerlingen");

    #[test]
    fn one_page_has_no_links_and_no_label() {
        let (p, rows) = Pager::counted("/taken", &[], 1, 50, 12, NOUN);
        assert_eq!(rows, 0..12);
        assert!(!p.is_paged());
        assert_eq!(p.label, "");
        assert_eq!(p.count, "12 leerlingen");
        let (p, rows) = Pager::counted("/taken", &[], 3, 50, 0, NOUN);
        assert_eq!((p.page, rows), (1, 0..0));
    }

    #[test]
    fn middle_page_links_both_ways_and_keeps_the_filters() {
        let (p, rows) = Pager::counted(
            "/taken",
            &[
                ("soort", "relatief_verzuim"),
                ("groep", "3-4 b"),
                ("termijn", ""),
            ],
            2,
            50,
            130,
            NOUN,
        );
        assert_eq!(rows, 50..100);
        assert_eq!(p.label, "Pagina 2 van 3 (leerlingen 51-100 van 130)");
        assert_eq!(
            p.prev.as_deref(),
            Some("/taken?soort=relatief_verzuim&groep=3-4%20b")
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/taken?soort=relatief_verzuim&groep=3-4%20b&pagina=3")
        );
    }

    #[test]
    fn a_page_beyond_the_last_shows_the_last() {
        let (p, rows) = Pager::counted("/meldingen", &[], 9, 100, 230, ("melding", "meldingen"));
        assert_eq!((p.page, rows), (3, 200..230));
        assert_eq!(p.next, None);
        assert_eq!(p.prev.as_deref(), Some("/meldingen?pagina=2"));
        assert_eq!(p.label, "Pagina 3 van 3 (meldingen 201-230 van 230)");
        assert_eq!(p.count, "230 meldingen");
    }

    #[test]
    fn uncounted_pages_link_on_when_there_is_more() {
        let p = Pager::uncounted("/beheer/auditlog", &[("actie", "login")], 1, true);
        assert_eq!(p.prev, None);
        assert_eq!(
            p.next.as_deref(),
            Some("/beheer/auditlog?actie=login&pagina=2")
        );
        assert_eq!(p.label, "Pagina 1");
        let p = Pager::uncounted("/beheer/auditlog", &[], 1, false);
        assert!(!p.is_paged());
    }
}
