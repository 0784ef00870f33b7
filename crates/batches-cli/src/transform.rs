//! `--transform`: a jq filter, compiled once with the jaq crates and run on each batch of
//! a list or on the single result.

use jaq_core::data::JustLut;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, unwrap_valr};
use jaq_json::Val;

type Data = JustLut<Val>;

/// A compiled filter.
pub struct Transform {
    filter: jaq_core::Filter<Data>,
}

/// One value a filter produced.
pub enum Produced {
    /// Compact JSON text.
    Json(Vec<u8>),
    /// A string's contents, for `--raw-output`.
    Text(Vec<u8>),
}

impl Transform {
    /// Compiles `code`; the error names the position and what was expected, or the
    /// undefined names.
    pub fn compile(code: &str) -> Result<Transform, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs::<Data>()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let messages: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, error)| load_messages(code, error))
                    .collect();
                messages.join("; ")
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let messages: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, undefined)| undefined)
                    .map(|(name, kind)| format!("undefined {} `{name}`", kind.as_str()))
                    .collect();
                messages.join("; ")
            })?;
        Ok(Transform { filter })
    }

    /// Runs the filter on one JSON text and hands each output to `emit`; with
    /// `raw_output`, strings are handed over as their contents.
    pub fn run<E>(
        &self,
        json: &str,
        raw_output: bool,
        mut emit: impl FnMut(Produced) -> Result<(), E>,
        error: impl Fn(String) -> E,
    ) -> Result<(), E> {
        let input = jaq_json::read::parse_single(json.as_bytes())
            .map_err(|e| error(format!("the input is not JSON: {e}")))?;
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        for output in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            let value = output.map_err(|e| error(e.to_string()))?;
            let produced = match value {
                Val::TStr(text) if raw_output => Produced::Text(text.to_vec()),
                value => {
                    let mut buffer = Vec::new();
                    jaq_json::write::write(&mut buffer, &Default::default(), 0, &value)
                        .expect("writing to a Vec does not fail");
                    Produced::Json(buffer)
                }
            };
            emit(produced)?;
        }
        Ok(())
    }
}

/// Readable messages for a load error, with the 1-based column where it was found.
fn load_messages(code: &str, error: jaq_core::load::Error<&str>) -> Vec<String> {
    let column = |rest: &str| {
        let offset = (rest.as_ptr() as usize).saturating_sub(code.as_ptr() as usize);
        code.get(..offset.min(code.len()))
            .map_or(1, |before| before.chars().count() + 1)
    };
    let found = |rest: &str| match rest.chars().next() {
        Some(c) => format!("`{c}`"),
        None => "the end".to_owned(),
    };
    let expected = |what: &str, rest: &str| {
        format!(
            "expected {what} at column {}, found {}",
            column(rest),
            found(rest)
        )
    };
    use jaq_core::load::Error;
    match error {
        Error::Io(errors) => errors.into_iter().map(|(_, message)| message).collect(),
        Error::Lex(errors) => errors
            .into_iter()
            .map(|(expect, rest)| expected(expect.as_str(), rest))
            .collect(),
        Error::Parse(errors) => errors
            .into_iter()
            .map(|(expect, rest)| expected(expect.as_str(), rest))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(filter: &str, json: &str, raw: bool) -> Result<Vec<String>, String> {
        let transform = Transform::compile(filter)?;
        let mut all = Vec::new();
        transform.run(
            json,
            raw,
            |produced| {
                let (Produced::Json(bytes) | Produced::Text(bytes)) = produced;
                all.push(String::from_utf8(bytes).unwrap());
                Ok(())
            },
            |message| message,
        )?;
        Ok(all)
    }

    #[test]
    fn runs_filters_with_the_standard_library() {
        let batch =
            r#"{"id":"bat-1","status":"RUNNING","n":12345678901234567890123,"tags":["a","b"]}"#;
        assert_eq!(outputs(".id", batch, false).unwrap(), [r#""bat-1""#]);
        assert_eq!(outputs(".id", batch, true).unwrap(), ["bat-1"]);
        assert_eq!(outputs(".tags[]", batch, true).unwrap(), ["a", "b"]);
        assert_eq!(
            outputs(".n", batch, false).unwrap(),
            ["12345678901234567890123"]
        );
        assert_eq!(
            outputs("{id, s: (.status | ascii_downcase)}", batch, false).unwrap(),
            [r#"{"id":"bat-1","s":"running"}"#]
        );
        assert!(
            outputs("select(.status == \"DONE\")", batch, false)
                .unwrap()
                .is_empty()
        );
        assert!(outputs(".missing", batch, false).unwrap() == ["null"]);
    }

    #[test]
    fn syntax_errors_name_the_column() {
        let message = Transform::compile(".id |").err().unwrap();
        assert!(message.contains("column 6"), "{message}");
        let message = Transform::compile("nosuchfilter").err().unwrap();
        assert_eq!(message, "undefined filter `nosuchfilter`");
    }

    #[test]
    fn runtime_errors_are_reported() {
        let message = outputs(".id | .x", r#"{"id":"bat-1"}"#, false).unwrap_err();
        assert!(message.contains("bat-1"), "{message}");
    }
}
