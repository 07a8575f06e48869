//! Terminal output: two module rows per line with Unicode half blocks.

use super::QrSymbol;

/// Which way round the terminal shows the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TerminalStyle {
    /// Light modules are drawn with block characters and dark modules left as background: for
    /// the usual light-on-dark terminal.
    #[default]
    LightOnDark,
    /// Dark modules are drawn with block characters: for a dark-on-light terminal.
    DarkOnLight,
}

pub(super) fn render(symbol: &QrSymbol, margin: usize, style: TerminalStyle) -> String {
    let side = symbol.width() + 2 * margin;
    // The modules that get ink are the light ones on a dark terminal.
    let inked = |x: usize, y: usize| {
        let dark = x
            .checked_sub(margin)
            .zip(y.checked_sub(margin))
            .is_some_and(|(mx, my)| symbol.is_dark(mx, my));
        match style {
            TerminalStyle::LightOnDark => !dark,
            TerminalStyle::DarkOnLight => dark,
        }
    };
    let mut out = String::with_capacity(side.div_ceil(2) * (side * 3 + 1));
    for y in (0..side).step_by(2) {
        for x in 0..side {
            let top = inked(x, y);
            // Past the last row is quiet zone, which is light.
            let bottom = if y + 1 < side {
                inked(x, y + 1)
            } else {
                style == TerminalStyle::LightOnDark
            };
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{EccLevel, QrSymbol};
    use super::TerminalStyle;

    #[test]
    fn half_blocks_encode_two_rows_each() {
        let symbol = QrSymbol::encode("x", EccLevel::M).unwrap();
        let text = symbol.to_terminal(4, TerminalStyle::DarkOnLight).unwrap();
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        assert_eq!(lines.len(), 29usize.div_ceil(2));
        for (row, line) in lines.iter().enumerate() {
            assert_eq!(line.len(), 29);
            for (x, ch) in line.iter().enumerate() {
                let at = |y: usize| {
                    x.checked_sub(4)
                        .zip(y.checked_sub(4))
                        .is_some_and(|(a, b)| symbol.is_dark(a, b))
                };
                let expected = match (at(2 * row), at(2 * row + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                };
                assert_eq!(*ch, expected, "{x},{row}");
            }
        }
        let inverse = symbol.to_terminal(4, TerminalStyle::LightOnDark).unwrap();
        assert_eq!(inverse.lines().next().unwrap(), "█".repeat(29));
    }
}
