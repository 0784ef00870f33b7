//! `extract_v2`: the fields of a configuration preset, each found in the document's text
//! after one of its labels, or null. A configuration that is not a preset extracts no
//! field.

use serde_json::{Map, Value, json};

use super::model::{Document, Page};

/// How a field's value is read from the text after its label.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The first word holding a digit (`2026-001`, `INV-7`).
    Reference,
    /// The rest of the line.
    Text,
    /// The first number (`1,250.00` is 1250).
    Amount,
    /// The currency after the first number: a code (`EUR`) or a symbol (`€`, `$`, `£`).
    Currency,
    /// The first date (`2026-12-01`, `1 December 2026`, `December 1, 2026`), as ISO 8601.
    Date,
    /// The names joined by `and` or commas in the rest of the line.
    Names,
}

/// A field of a preset: its name, what it holds and the labels it follows.
struct Field {
    name: &'static str,
    description: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
}

const fn field(
    name: &'static str,
    description: &'static str,
    kind: Kind,
    labels: &'static [&'static str],
) -> Field {
    Field {
        name,
        description,
        kind,
        labels,
    }
}

/// The three presets and their fields, in the order the result lists them.
const PRESETS: &[(&str, &[Field])] = &[
    (
        "CFG-EXTRACT_INVOICE",
        &[
            field(
                "invoice_number",
                "The invoice's number.",
                Kind::Reference,
                &["invoice number", "invoice no", "invoice #", "invoice"],
            ),
            field(
                "invoice_date",
                "The date the invoice was issued.",
                Kind::Date,
                &["invoice date", "date of issue", "issued", "date"],
            ),
            field(
                "vendor",
                "Who issued the invoice.",
                Kind::Text,
                &["vendor", "seller", "supplier", "from"],
            ),
            field(
                "total_amount",
                "The amount due.",
                Kind::Amount,
                &["total due", "amount due", "grand total", "total"],
            ),
            field(
                "currency",
                "The currency of the amount due.",
                Kind::Currency,
                &["total due", "amount due", "grand total", "total"],
            ),
        ],
    ),
    (
        "CFG-EXTRACT_CONTRACT",
        &[
            field(
                "parties",
                "The parties to the contract.",
                Kind::Names,
                &["between", "parties"],
            ),
            field(
                "effective_date",
                "When the contract takes effect.",
                Kind::Date,
                &["effective date", "effective", "from", "dated"],
            ),
            field(
                "term",
                "How long the contract runs.",
                Kind::Text,
                &["term", "duration"],
            ),
            field(
                "governing_law",
                "The law that governs the contract.",
                Kind::Text,
                &["governing law", "governed by"],
            ),
        ],
    ),
    (
        "CFG-EXTRACT_RECEIPT",
        &[
            field(
                "merchant",
                "Where the purchase was made.",
                Kind::Text,
                &["merchant", "store", "shop"],
            ),
            field("date", "The date of the purchase.", Kind::Date, &["date"]),
            field(
                "total",
                "The amount paid.",
                Kind::Amount,
                &["total paid", "amount paid", "total"],
            ),
            field(
                "payment_method",
                "How it was paid.",
                Kind::Text,
                &["payment method", "paid by", "payment"],
            ),
        ],
    ),
];

/// What an extract job produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// Each field of the preset with its value or null, in the preset's order.
    pub result: Map<String, Value>,
    /// Per field, where its value was found (`citation`: page and line) and the confidence.
    pub field_metadata: Map<String, Value>,
    /// The configuration's JSON Schema: an object with the preset's fields.
    pub data_schema: Value,
    /// Whether the configuration is one of the presets.
    pub is_preset: bool,
}

/// The fields of `configuration_id`'s preset, read from `document`.
pub fn extract(configuration_id: &str, document: &Document) -> Extraction {
    let id = configuration_id.to_ascii_uppercase();
    let fields = PRESETS
        .iter()
        .find(|(preset, _)| *preset == id)
        .map(|(_, fields)| *fields);
    let lines: Vec<(usize, &str)> = document
        .pages
        .iter()
        .enumerate()
        .filter_map(|(index, page)| match page {
            Page::Read { text, .. } => Some((index + 1, text.as_str())),
            Page::Failed { .. } => None,
        })
        .flat_map(|(page, text)| text.lines().map(move |line| (page, line)))
        .collect();
    let mut result = Map::new();
    let mut field_metadata = Map::new();
    let mut properties = Map::new();
    for field in fields.unwrap_or_default() {
        let found = field.labels.iter().find_map(|label| {
            lines.iter().find_map(|(page, line)| {
                let rest = after_label(line, label)?;
                Some((*page, *line, value(field.kind, rest)?))
            })
        });
        let (value, metadata) = match found {
            Some((page, line, value)) => (
                value,
                json!({"citation": [{"page": page, "matching_text": line.trim()}], "confidence": 1.0}),
            ),
            None => (Value::Null, json!({"citation": [], "confidence": 0.0})),
        };
        result.insert(field.name.to_owned(), value);
        field_metadata.insert(field.name.to_owned(), metadata);
        let type_ = match field.kind {
            Kind::Amount => json!(["number", "null"]),
            Kind::Names => json!(["array", "null"]),
            _ => json!(["string", "null"]),
        };
        properties.insert(
            field.name.to_owned(),
            json!({"type": type_, "description": field.description}),
        );
    }
    Extraction {
        result,
        field_metadata,
        data_schema: json!({"type": "object", "properties": properties}),
        is_preset: fields.is_some(),
    }
}

/// The text after the first occurrence of `label` (any case, starting a word) in `line`,
/// past the separators that follow a label (`:`, `#`, `-`, `.`).
fn after_label<'l>(line: &'l str, label: &str) -> Option<&'l str> {
    let lower = line.to_lowercase();
    // Lower-casing can change lengths outside ASCII; such lines are matched as they are.
    if lower.len() != line.len() {
        return None;
    }
    let mut from = 0;
    while let Some(found) = lower[from..].find(label) {
        let start = from + found;
        let end = start + label.len();
        let starts_word = !lower[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let ends_word = !lower[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        if starts_word && ends_word {
            return Some(line[end..].trim_start_matches([' ', '\t', ':', '#', '-', '.']));
        }
        from = end;
    }
    None
}

fn value(kind: Kind, rest: &str) -> Option<Value> {
    let rest = rest.trim();
    match kind {
        Kind::Reference => rest
            .split_whitespace()
            .map(|word| word.trim_end_matches([',', ';', '.']))
            .find(|word| word.chars().any(|c| c.is_ascii_digit()))
            .map(|word| json!(word)),
        Kind::Text => {
            let text = rest.trim_end_matches([',', ';', '.']).trim();
            (!text.is_empty()).then(|| json!(text))
        }
        Kind::Amount => amount(rest).map(|(number, _)| json!(number)),
        Kind::Currency => {
            let (_, after) = amount(rest)?;
            currency(rest, after).map(|code| json!(code))
        }
        Kind::Date => date(rest).map(|date| json!(date)),
        Kind::Names => {
            let names: Vec<&str> = rest
                .split([','])
                .flat_map(|part| part.split(" and "))
                .map(|name| name.trim().trim_end_matches('.'))
                .filter(|name| !name.is_empty())
                .collect();
            (!names.is_empty()).then(|| json!(names))
        }
    }
}

/// The first number in `text` (`1,250.00`, `1.250,00`, `81200`) and the text after it.
fn amount(text: &str) -> Option<(f64, &str)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let end = text[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map_or(text.len(), |offset| start + offset);
    let written = text[start..end].trim_end_matches([',', '.']);
    let decimal = match (written.rfind('.'), written.rfind(',')) {
        (Some(dot), Some(comma)) => Some(dot.max(comma)),
        (Some(dot), None) => Some(dot),
        // A lone comma followed by three digits groups thousands; otherwise it is decimal.
        (None, Some(comma)) if written.len() - comma - 1 != 3 => Some(comma),
        _ => None,
    };
    let digits: String = written
        .char_indices()
        .filter_map(|(index, c)| match c {
            '0'..='9' => Some(c),
            _ if Some(index) == decimal => Some('.'),
            _ => None,
        })
        .collect();
    Some((digits.parse().ok()?, &text[start + written.len()..]))
}

fn currency(before: &str, after: &str) -> Option<&'static str> {
    const SYMBOLS: &[(&str, &str)] = &[("€", "EUR"), ("$", "USD"), ("£", "GBP"), ("¥", "JPY")];
    let code = after
        .split_whitespace()
        .next()
        .map(|word| word.trim_end_matches([',', ';', '.']))
        .filter(|word| word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()));
    if let Some(code) = code {
        return KNOWN_CODES.iter().find(|known| **known == code).copied();
    }
    SYMBOLS
        .iter()
        .find(|(symbol, _)| before.contains(symbol))
        .map(|(_, code)| *code)
}

/// Currency codes the extraction recognises after an amount.
const KNOWN_CODES: &[&str] = &[
    "EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "INR",
    "CNY",
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The first date in `text`, as `YYYY-MM-DD`.
fn date(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| !word.is_empty())
        .collect();
    let month = |word: &str| {
        let word = word.to_lowercase();
        MONTHS
            .iter()
            .position(|month| word.len() >= 3 && month.starts_with(&word))
            .map(|index| index + 1)
    };
    let number = |word: &str| word.parse::<u32>().ok();
    for (index, word) in words.iter().enumerate() {
        if let [year, month, day] = word.split('-').collect::<Vec<_>>()[..]
            && year.len() == 4
            && let (Some(y), Some(m), Some(d)) = (number(year), number(month), number(day))
            && (1..=12).contains(&m)
            && (1..=31).contains(&d)
        {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        let next = |offset: usize| words.get(index + offset).copied().unwrap_or_default();
        // `1 December 2026`
        if let (Some(d), Some(m), Some(y)) = (number(word), month(next(1)), number(next(2)))
            && (1..=31).contains(&d)
            && next(2).len() == 4
        {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        // `December 1, 2026`
        if let (Some(m), Some(d), Some(y)) = (month(word), number(next(1)), number(next(2)))
            && (1..=31).contains(&d)
            && next(2).len() == 4
        {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::read;

    fn extracted(configuration_id: &str, text: &str) -> Extraction {
        extract(configuration_id, &read("doc.txt", text.as_bytes()).unwrap())
    }

    #[test]
    fn the_invoice_preset_finds_its_fields_or_null() {
        let extraction = extracted(
            "cfg-EXTRACT_INVOICE",
            "Invoice 2026-001\nAcme Corp, 3 widgets\nTotal: 1,250.00 EUR\n",
        );
        assert_eq!(
            Value::Object(extraction.result),
            json!({"invoice_number": "2026-001", "invoice_date": null, "vendor": null,
                   "total_amount": 1250.0, "currency": "EUR"})
        );
        assert_eq!(
            extraction.field_metadata["total_amount"]["citation"][0],
            json!({"page": 1, "matching_text": "Total: 1,250.00 EUR"})
        );
        assert!(extraction.is_preset);
        assert_eq!(
            extraction.data_schema["properties"]["total_amount"]["type"],
            json!(["number", "null"])
        );
    }

    #[test]
    fn the_contract_and_receipt_presets_find_names_dates_and_amounts() {
        let contract = extracted(
            "cfg-extract_contract",
            "Service agreement\nbetween Acme Corp and Example Ltd\nTerm: 12 months from 1 December 2026\n",
        );
        assert_eq!(
            Value::Object(contract.result),
            json!({"parties": ["Acme Corp", "Example Ltd"], "effective_date": "2026-12-01",
                   "term": "12 months from 1 December 2026", "governing_law": null})
        );
        let receipt = extracted(
            "cfg-EXTRACT_RECEIPT",
            "Merchant: Corner Shop\nDate: March 3, 2026\nSubtotal 9,99\nTotal: €12,50\nPaid by card",
        );
        assert_eq!(
            Value::Object(receipt.result),
            json!({"merchant": "Corner Shop", "date": "2026-03-03", "total": 12.5,
                   "payment_method": "card"})
        );
    }

    #[test]
    fn a_configuration_that_is_not_a_preset_extracts_nothing() {
        let extraction = extracted("cfg-1234", "Invoice 1\nTotal: 3 EUR");
        assert!(extraction.result.is_empty());
        assert!(!extraction.is_preset);
    }
}
