//! Small SVG charts, rendered on the server (no script): stacked vertical bars and horizontal
//! bars. Each chart is `role="img"` with a `<title>` and a `<desc>` (`aria-labelledby`), and the
//! page shows the same numbers as a table. Colours come from CSS classes (`chart-s0` …) in the
//! stylesheet, so there is no inline style.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::escape_html;

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn chart_id() -> String {
    format!("grafiek-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// One stacked part of a bar chart: its name (legend) and a value per bar.
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A number for a chart label: at most one decimal, Dutch decimal comma.
pub fn num(v: f64) -> String {
    let s = if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}", v)
    };
    s.replace('.', ",")
}

/// A rounded upper bound for an axis.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * mag >= max {
            return step * mag;
        }
    }
    10.0 * mag
}

fn open(out: &mut String, id: &str, w: u32, h: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape_html(title),
        escape_html(desc)
    );
}

/// Vertical bars, one per label, each stacked from the series (bottom first); `unit` follows
/// the axis numbers (`%`). The legend lists the series with values.
pub fn stacked_bars(
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series],
    unit: &str,
) -> String {
    let id = chart_id();
    let n = labels.len().max(1);
    let bar = 34u32;
    let gap = 14u32;
    let left = 48u32;
    let top = 12u32;
    let plot_h = 180u32;
    let w = left + (bar + gap) * n as u32 + gap;
    let legend_rows = series.len().div_ceil(3) as u32;
    let h = top + plot_h + 28 + legend_rows * 20 + 6;
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let y = |v: f64| f64::from(top) + f64::from(plot_h) * (1.0 - v / max);
    let mut out = String::new();
    open(&mut out, &id, w.max(360), h, title, desc);
    // Grid and axis numbers.
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            out,
            "<line class=\"chart-grid\" x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text class=\"chart-axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{}</text>",
            w - gap / 2,
            left - 6,
            yy + 4.0,
            num(v),
            escape_html(unit)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x = left + gap + (bar + gap) * i as u32;
        let mut base = 0.0;
        for (s_i, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v > 0.0 {
                let (y1, y0) = (y(base + v), y(base));
                let _ = write!(
                    out,
                    "<rect class=\"chart-s{}\" x=\"{x}\" y=\"{y1:.1}\" width=\"{bar}\" height=\"{:.1}\"/>",
                    s_i % 8,
                    (y0 - y1).max(0.5)
                );
            }
            base += v;
        }
        let _ = write!(
            out,
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + bar / 2,
            top + plot_h + 16,
            escape_html(label)
        );
    }
    if series.len() > 1 {
        for (s_i, s) in series.iter().enumerate() {
            let col = (s_i % 3) as u32;
            let row = (s_i / 3) as u32;
            let lx = left + col * 130;
            let ly = top + plot_h + 30 + row * 20;
            let _ = write!(
                out,
                "<rect class=\"chart-s{}\" x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\"/>\
                 <text class=\"chart-legend\" x=\"{}\" y=\"{}\">{}</text>",
                s_i % 8,
                lx + 18,
                ly + 11,
                escape_html(&s.name)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The width a text of `chars` characters takes at the charts' 12px font (a generous average,
/// so that legend entries never run into each other).
fn text_width(text: &str) -> u32 {
    text.chars().count() as u32 * 7 + 4
}

/// A label cut to `max` characters, with an ellipsis.
fn cut(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Grouped horizontal bars: per group (a school, the total) one bar per series with its value
/// written after it, the group's name at the left. Counts of different things side by side,
/// never stacked. The legend sits above the bars and wraps by the width of its entries, so it
/// never overlaps the bars or itself. 900 wide; the stylesheet scales it down on a narrow screen.
pub fn grouped_hbars(title: &str, desc: &str, groups: &[String], series: &[Series]) -> String {
    let id = chart_id();
    let w = 900u32;
    let label_w = 220u32;
    let bar_h = 16u32;
    let bar_gap = 4u32;
    let group_gap = 18u32;
    let value_w = 48u32;
    let bar_max = w - label_w - value_w;
    // The legend: entries flow from the left, wrapping by their width.
    let mut legend = Vec::new();
    let (mut lx, mut ly) = (label_w, 8u32);
    for (s_i, s) in series.iter().enumerate() {
        let item = 18 + text_width(&s.name) + 18;
        if lx + item > w && lx > label_w {
            lx = label_w;
            ly += 22;
        }
        legend.push((s_i, lx, ly, &s.name));
        lx += item;
    }
    let top = ly + 32;
    let group_h = series.len().max(1) as u32 * (bar_h + bar_gap) - bar_gap;
    let h = top + groups.len().max(1) as u32 * (group_h + group_gap) + 4;
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let mut out = String::new();
    open(&mut out, &id, w, h, title, desc);
    for (s_i, x, y, name) in legend {
        let _ = write!(
            out,
            "<rect class=\"chart-s{}\" x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\"/>\
             <text class=\"chart-legend\" x=\"{}\" y=\"{}\">{}</text>",
            s_i % 8,
            x + 18,
            y + 11,
            escape_html(name)
        );
    }
    for (g, group) in groups.iter().enumerate() {
        let gy = top + g as u32 * (group_h + group_gap);
        if g > 0 {
            let line = gy - group_gap / 2;
            let _ = write!(
                out,
                "<line class=\"chart-grid\" x1=\"0\" x2=\"{w}\" y1=\"{line}\" y2=\"{line}\"/>"
            );
        }
        let _ = write!(
            out,
            "<text class=\"chart-label\" font-weight=\"600\" x=\"{}\" y=\"{}\" \
             text-anchor=\"end\">{}</text>",
            label_w - 10,
            gy + group_h / 2 + 4,
            escape_html(&cut(group, 28))
        );
        for (s_i, s) in series.iter().enumerate() {
            let v = s.values.get(g).copied().unwrap_or(0.0);
            let y = gy + s_i as u32 * (bar_h + bar_gap);
            let len = (f64::from(bar_max) * v / max).max(if v > 0.0 { 2.0 } else { 0.0 });
            let _ = write!(
                out,
                "<rect class=\"chart-s{}\" x=\"{label_w}\" y=\"{y}\" width=\"{len:.1}\" \
                 height=\"{bar_h}\"><title>{}: {}</title></rect>\
                 <text class=\"chart-value\" x=\"{:.1}\" y=\"{}\">{}</text>",
                s_i % 8,
                escape_html(&s.name),
                num(v),
                f64::from(label_w) + len + 6.0,
                y + 12,
                num(v)
            );
        }
    }
    let _ = write!(
        out,
        "<line class=\"chart-grid\" x1=\"{label_w}\" x2=\"{label_w}\" y1=\"{top}\" y2=\"{}\"/>",
        h - 4
    );
    out.push_str("</svg>");
    out
}

/// Horizontal bars: one per `(label, value)`, the value written after the bar.
pub fn hbars(title: &str, desc: &str, items: &[(String, f64)]) -> String {
    let id = chart_id();
    let row = 26u32;
    let label_w = 230u32;
    let bar_w = 300u32;
    let w = label_w + bar_w + 60;
    let h = row * items.len().max(1) as u32 + 8;
    let max = nice_max(items.iter().map(|i| i.1).fold(0.0, f64::max));
    let mut out = String::new();
    open(&mut out, &id, w, h, title, desc);
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4 + row * i as u32;
        let len = (f64::from(bar_w) * v / max).max(if *v > 0.0 { 2.0 } else { 0.0 });
        let _ = write!(
            out,
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"chart-bar\" x=\"{label_w}\" y=\"{y}\" width=\"{len:.1}\" height=\"{}\"/>\
             <text class=\"chart-value\" x=\"{:.1}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 15,
            escape_html(label),
            row - 8,
            f64::from(label_w) + len + 6.0,
            y + 15,
            num(*v)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_accessible_images() {
        let svg = stacked_bars(
            "Verzuim per maand",
            "Percentage",
            &["sep".into(), "okt".into()],
            &[
                Series {
                    name: "ziek".into(),
                    values: vec![1.0, 2.5],
                },
                Series {
                    name: "<ongeoorloofd>".into(),
                    values: vec![0.5, 0.0],
                },
            ],
            "%",
        );
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id="));
        assert!(svg.contains("&lt;ongeoorloofd&gt;"));
        assert_eq!(svg.matches("<rect class=\"chart-s").count(), 3 + 2);
        let h = hbars("Signalen", "Aantal", &[("Te laat".into(), 3.0)]);
        assert!(h.contains(">3</text>"));
        assert_eq!(num(2.25), "2,2");
        assert_eq!(cut("Openbare basisschool De Esch", 10), "Openbare …");
        assert_eq!(nice_max(7.3), 10.0);
    }

    /// The x, y and text of each `chart-legend` entry of an SVG.
    fn legend_entries(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<text class=\"chart-legend\" x=\"")
            .skip(1)
            .map(|rest| {
                let x: f64 = rest.split('"').next().unwrap().parse().unwrap();
                let y: f64 = rest
                    .split("y=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let text = rest
                    .split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_owned();
                (x, y, text)
            })
            .collect()
    }

    /// The year figures' chart (issue 11): the legend's entries with long names never overlap
    /// each other (on one line, each starts after the previous one's text) or the bars (all
    /// above the first bar), every bar has its value written after it, and the chart is wide.
    #[test]
    fn grouped_bars_keep_the_legend_clear() {
        let names = [
            "Meldingen",
            "Waarschuwingsbrieven",
            "HALT-verwijzingen",
            "Processen-verbaal",
            "Thuiszitters eind schooljaar",
        ];
        let series: Vec<Series> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Series {
                name: (*n).into(),
                values: vec![i as f64, 12.0, 0.0],
            })
            .collect();
        let groups = [
            "Openbare basisschool De Esch met een lange naam".to_owned(),
            "CBS De Wilg".to_owned(),
            "Totaal".to_owned(),
        ];
        let svg = grouped_hbars("Jaarcijfers", "Beschrijving", &groups, &series);
        assert!(svg.contains("viewBox=\"0 0 900 "), "{svg}");
        let legend = legend_entries(&svg);
        assert_eq!(legend.len(), names.len());
        for pair in legend.windows(2) {
            let ((x0, y0, t0), (x1, y1, _)) = (&pair[0], &pair[1]);
            if y0 == y1 {
                assert!(x1 - x0 >= f64::from(text_width(t0)) + 18.0, "{legend:?}");
            }
            assert!(
                *x1 + f64::from(text_width(&pair[1].2)) <= 900.0,
                "{legend:?}"
            );
        }
        let lowest_legend = legend.iter().map(|l| l.1).fold(0.0, f64::max);
        let first_bar: f64 = svg
            .split("height=\"16\"")
            .next()
            .unwrap()
            .rsplit("y=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            first_bar > lowest_legend + 12.0,
            "{first_bar} {lowest_legend}"
        );
        assert_eq!(
            svg.matches("<text class=\"chart-value\"").count(),
            names.len() * groups.len()
        );
        assert!(
            svg.contains(">Openbare basisschool De Esc…</text>"),
            "{svg}"
        );
        assert!(svg.contains("<title>Waarschuwingsbrieven: 12</title>"));
    }
}
