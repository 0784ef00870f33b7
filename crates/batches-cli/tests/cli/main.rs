//! End-to-end tests of `llamacloud` against the emulator, started in-process on a free
//! port by each test.

mod common;
mod config;
mod directories;
mod folders;
mod formats;
mod help;
mod list;
mod run;
mod run_failures;
mod single;
mod stats;
mod wait;
