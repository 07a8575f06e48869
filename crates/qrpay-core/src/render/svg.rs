//! SVG output: one path of horizontal runs over a light rectangle, in module units.

use std::fmt::Write as _;

use super::{QrSymbol, RenderOptions};

/// Caption band height in modules.
const CAPTION_MODULES: usize = 3;

pub(super) fn render(symbol: &QrSymbol, options: &RenderOptions) -> String {
    let margin = options.margin;
    let side = symbol.width() + 2 * margin;
    let caption = options.caption.as_deref().filter(|c| !c.is_empty());
    let height = side
        + if caption.is_some() {
            CAPTION_MODULES
        } else {
            0
        };
    let px = options.module_px;
    let mut path = String::with_capacity(symbol.width() * symbol.width());
    for (y, row) in symbol.rows().enumerate() {
        let mut x = 0;
        while x < row.len() {
            if row.get(x).copied().unwrap_or(false) {
                let run = row.iter().skip(x).take_while(|d| **d).count();
                // Writing to a String cannot fail.
                let _ = write!(path, "M{} {}h{run}v1h-{run}z", x + margin, y + margin);
                x += run;
            } else {
                x += 1;
            }
        }
    }
    let mut svg = String::with_capacity(path.len() + 512);
    let _ = write!(
        svg,
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" ",
            "width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {side} {height}\" ",
            "shape-rendering=\"crispEdges\">\n",
            "<rect width=\"{side}\" height=\"{height}\" fill=\"{light}\"/>\n",
            "<path fill=\"{dark}\" d=\"{path}\"/>\n"
        ),
        w = side * px,
        h = height * px,
        side = side,
        height = height,
        light = options.light,
        dark = options.dark,
        path = path,
    );
    if let Some(text) = caption {
        let _ = writeln!(
            svg,
            concat!(
                "<text x=\"{x}\" y=\"{y}\" fill=\"{dark}\" font-family=\"sans-serif\" ",
                "font-size=\"2\" text-anchor=\"middle\" textLength=\"{len}\" ",
                "lengthAdjust=\"spacingAndGlyphs\">{text}</text>"
            ),
            x = side / 2,
            y = side + 2,
            dark = options.dark,
            len = side.saturating_sub(2).min(text.chars().count().max(1) * 2),
            text = escape_xml(text),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{EccLevel, QrSymbol, RenderOptions};

    #[test]
    fn one_path_whose_runs_cover_exactly_the_dark_modules() {
        let symbol = QrSymbol::encode("https://example.com/pay?x=1", EccLevel::M).unwrap();
        let svg = symbol.to_svg(&RenderOptions::new().margin(4)).unwrap();
        assert_eq!(svg.matches("<path").count(), 1);
        let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut covered = vec![false; symbol.width() * symbol.width()];
        for cmd in d.split('M').filter(|s| !s.is_empty()) {
            let (xy, rest) = cmd.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let run: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            let (x, y) = (
                x.parse::<usize>().unwrap() - 4,
                y.parse::<usize>().unwrap() - 4,
            );
            for i in x..x + run {
                assert!(!covered[y * symbol.width() + i]);
                covered[y * symbol.width() + i] = true;
            }
        }
        for y in 0..symbol.width() {
            for x in 0..symbol.width() {
                assert_eq!(
                    covered[y * symbol.width() + x],
                    symbol.is_dark(x, y),
                    "{x},{y}"
                );
            }
        }
    }

    #[test]
    fn caption_is_escaped_text() {
        let symbol = QrSymbol::encode("x", EccLevel::M).unwrap();
        let svg = symbol
            .to_svg(&RenderOptions::new().caption("Café <&> 3.00 €"))
            .unwrap();
        assert!(svg.contains(">Café &lt;&amp;&gt; 3.00 €</text>"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 29 32\""));
    }
}
