//! End-to-end tests of `llamacloud` against the emulator, started in-process on a free
//! port by each test.

mod common;
mod config;
mod formats;
mod help;
mod list;
mod parallel;
mod single;
mod stats;
mod wait;
