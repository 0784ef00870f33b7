//! Everything written to stdout goes through [`Printer`]: formats, `--transform`, and a
//! quiet stop when the reader goes away (`| head -1`). Tables and charts show outside
//! text through [`terminal_safe`]; json, jsonl, yaml and raw keep it exact.

mod jobs;
mod json;
pub mod style;
mod table;
pub mod terminal;
mod yaml;

use std::io::{IsTerminal, Stdout, Write};

use batches_client::Batch;

use crate::cli::Format;
use crate::failure::Failure;
use crate::transform::{Produced, Transform};

pub use table::{ChartSection, Rows};
pub use terminal::terminal_safe;

/// Bytes gathered before a write to stdout.
const BUFFER: usize = 32 * 1024;

/// How values are laid out, `auto` resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Json,
    Jsonl,
    Yaml,
    Table,
    Raw,
    /// `--raw-output`: strings as plain lines, other values as compact JSON lines.
    Lines,
}

/// Writes results to stdout in the chosen format.
pub struct Printer {
    transform: Option<Transform>,
    /// Whether stdout is a terminal.
    terminal: bool,
    sink: Sink,
}

struct Sink {
    shape: Shape,
    color: bool,
    /// Line-buffered by std; the text is gathered in `buffer` and written in large pieces.
    out: Stdout,
    buffer: Vec<u8>,
    /// Values written so far (for separators).
    count: u64,
    table: table::StreamTable,
}

impl Printer {
    /// Resolves `auto` (a table on a terminal, json otherwise) and checks that the format
    /// and the transform go together.
    pub fn new(
        format: Format,
        transform: Option<Transform>,
        raw_output: bool,
        color: bool,
    ) -> Result<Printer, Failure> {
        let terminal = std::io::stdout().is_terminal();
        let shape = match format {
            _ if raw_output => Shape::Lines,
            Format::Auto if terminal && transform.is_none() => Shape::Table,
            Format::Auto | Format::Json => Shape::Json,
            Format::Jsonl => Shape::Jsonl,
            Format::Yaml => Shape::Yaml,
            Format::Table => Shape::Table,
            Format::Raw => Shape::Raw,
        };
        if transform.is_some() && matches!(shape, Shape::Table | Shape::Raw) {
            return Err(Failure::usage(format!(
                "--transform produces JSON values, which --format {} cannot show; use json, \
                 jsonl or yaml",
                if shape == Shape::Table {
                    "table"
                } else {
                    "raw"
                }
            )));
        }
        let color = color && terminal;
        Ok(Printer {
            transform,
            terminal,
            sink: Sink {
                shape,
                color,
                out: std::io::stdout(),
                buffer: Vec::with_capacity(BUFFER),
                count: 0,
                table: table::StreamTable::new(color),
            },
        })
    }

    /// Makes tables show `rows` (batches unless told otherwise).
    pub fn show(&mut self, rows: Rows) {
        self.sink.table.show(rows);
    }

    /// Whether the output is the exact bytes of one response.
    pub fn is_raw(&self) -> bool {
        self.sink.shape == Shape::Raw
    }

    /// Whether the output is for people (the table and chart shape).
    pub fn is_table(&self) -> bool {
        self.sink.shape == Shape::Table
    }

    /// Whether stdout is a terminal, so a person is looking (a table may be piped too).
    pub fn on_terminal(&self) -> bool {
        self.terminal
    }

    /// Writes one result: a response body (exact with `--format raw`) or a value of the
    /// command's own (stats, settings).
    pub fn single(&mut self, json: &[u8]) -> Result<(), Failure> {
        if self.sink.shape == Shape::Raw {
            return self.sink.write(json);
        }
        let text = std::str::from_utf8(json)
            .map_err(|_| Failure::usage("the response is not UTF-8 text; use --format raw"))?;
        self.value(text, false)?;
        self.sink.flush()
    }

    /// Writes one batch of a list.
    pub fn list_item(&mut self, json: &str) -> Result<(), Failure> {
        self.value(json, true)
    }

    /// Marks the end of a page: the table fixes its widths after the first.
    pub fn end_page(&mut self) -> Result<(), Failure> {
        if self.sink.shape == Shape::Table {
            self.sink.table.settle(&mut self.sink.buffer);
        }
        self.sink.drain()
    }

    /// Closes the list (a JSON array is always closed, so that an interrupted listing
    /// still leaves one valid document). Returns whether anything was written.
    pub fn end_list(&mut self) -> Result<bool, Failure> {
        let sink = &mut self.sink;
        let empty = match sink.shape {
            Shape::Table => {
                sink.table.settle(&mut sink.buffer);
                sink.table.is_empty()
            }
            _ => sink.count == 0,
        };
        match sink.shape {
            Shape::Json if empty => sink.buffer.extend_from_slice(b"[]\n"),
            Shape::Json => sink.buffer.extend_from_slice(b"\n]\n"),
            Shape::Yaml if empty => sink.buffer.extend_from_slice(b"[]\n"),
            _ => {}
        }
        sink.drain()?;
        sink.flush()?;
        Ok(!empty)
    }

    /// Writes one value of a stream without an end (`webhooks listen`) as one line, at once:
    /// compact JSON (json, jsonl; an entry of a YAML flow sequence in yaml), the exact
    /// bytes (raw), `table_line` (table), or what `--transform` makes of it.
    pub fn stream_line(&mut self, json: &str, table_line: &str) -> Result<(), Failure> {
        let sink = &mut self.sink;
        match (&self.transform, sink.shape) {
            (Some(transform), _) => transform.run(
                json,
                sink.shape == Shape::Lines,
                |produced| match produced {
                    Produced::Json(json) => match std::str::from_utf8(&json) {
                        Ok(json) => {
                            sink.line(json);
                            Ok(())
                        }
                        Err(_) => Err(Failure::usage(
                            "--transform produced bytes that are not UTF-8",
                        )),
                    },
                    Produced::Text(text) => sink.text(&text),
                },
                |message| Failure::usage(format!("--transform failed: {message}")),
            )?,
            (None, Shape::Table) => {
                sink.buffer.extend_from_slice(table_line.as_bytes());
                sink.buffer.push(b'\n');
            }
            (None, Shape::Raw) => {
                sink.buffer.extend_from_slice(json.as_bytes());
                sink.buffer.push(b'\n');
            }
            (None, _) => sink.line(json),
        }
        sink.flush()
    }

    /// Writes the bar chart of `batches stats`.
    pub fn chart(&mut self, total: u64, sections: &[ChartSection]) -> Result<(), Failure> {
        table::chart(total, sections, self.sink.color, &mut self.sink.buffer);
        self.sink.drain()?;
        self.sink.flush()
    }

    fn value(&mut self, json: &str, in_list: bool) -> Result<(), Failure> {
        let sink = &mut self.sink;
        match &self.transform {
            None => sink.json(json, in_list),
            Some(transform) => transform.run(
                json,
                sink.shape == Shape::Lines,
                |produced| match produced {
                    Produced::Json(json) => match std::str::from_utf8(&json) {
                        Ok(json) => sink.json(json, in_list),
                        Err(_) => Err(Failure::usage(
                            "--transform produced bytes that are not UTF-8",
                        )),
                    },
                    Produced::Text(text) => sink.text(&text),
                },
                |message| Failure::usage(format!("--transform failed: {message}")),
            ),
        }
    }
}

impl Sink {
    /// Writes a JSON value as one compact line; in YAML, as an entry of a flow sequence
    /// (JSON is YAML's flow style).
    fn line(&mut self, json: &str) {
        self.count += 1;
        if self.shape == Shape::Yaml {
            self.buffer.extend_from_slice(b"- ");
        }
        json::compact(json, &mut self.buffer);
        self.buffer.push(b'\n');
    }

    /// Writes a string's contents as a line (`--raw-output`).
    fn text(&mut self, text: &[u8]) -> Result<(), Failure> {
        self.count += 1;
        self.buffer.extend_from_slice(text);
        self.buffer.push(b'\n');
        self.drain_if_full()
    }

    /// Writes a JSON value in the chosen shape.
    fn json(&mut self, json: &str, in_list: bool) -> Result<(), Failure> {
        let first = self.count == 0;
        self.count += 1;
        let buffer = &mut self.buffer;
        match self.shape {
            Shape::Json if in_list => {
                buffer.extend_from_slice(if first { b"[\n  " } else { b",\n  " });
                json::pretty(json, 1, buffer);
            }
            Shape::Json => {
                json::pretty(json, 0, buffer);
                buffer.push(b'\n');
            }
            Shape::Jsonl | Shape::Lines => {
                json::compact(json, buffer);
                buffer.push(b'\n');
            }
            Shape::Yaml if in_list => yaml::sequence_entry(json, buffer).map_err(Failure::usage)?,
            Shape::Yaml => {
                if !first {
                    buffer.extend_from_slice(b"---\n");
                }
                yaml::document(json, buffer).map_err(Failure::usage)?
            }
            Shape::Table => {
                self.table.push(json, buffer).map_err(Failure::usage)?;
                if !in_list {
                    self.table.settle(buffer);
                }
                if !in_list && self.table.rows() == Rows::Batches {
                    let batch: Batch = serde_json::from_str(json)
                        .map_err(|error| Failure::usage(error.to_string()))?;
                    table::results(&batch, self.color, buffer);
                }
                if !in_list {
                    jobs::below(self.table.rows(), json, buffer);
                }
            }
            Shape::Raw => buffer.extend_from_slice(json.as_bytes()),
        }
        self.drain_if_full()
    }

    fn drain_if_full(&mut self) -> Result<(), Failure> {
        if self.buffer.len() >= BUFFER {
            self.drain()?;
        }
        Ok(())
    }

    /// Moves the buffered text to the writer.
    fn drain(&mut self) -> Result<(), Failure> {
        let result = self.out.write_all(&self.buffer);
        self.buffer.clear();
        result.map_err(io_failure)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.drain()?;
        self.out.write_all(bytes).map_err(io_failure)?;
        self.flush()
    }

    fn flush(&mut self) -> Result<(), Failure> {
        self.drain()?;
        self.out.flush().map_err(io_failure)
    }
}

/// Writes bytes to stdout at once (a completion script, a path), stopping quietly when
/// the reader went away.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(io_failure)
}

fn io_failure(error: std::io::Error) -> Failure {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Output(error)
    }
}
