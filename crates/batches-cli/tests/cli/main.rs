//! End-to-end tests of `llamacloud` against the emulator, started in-process on a free
//! port by each test.

mod common;
mod config;
mod directories;
mod escaping;
mod export;
mod folders;
mod formats;
mod help;
mod hostile;
mod idempotency;
mod jobs;
mod list;
mod mistakes;
mod network;
mod parallel;
mod report;
mod run;
mod run_failures;
mod secrets;
mod single;
mod stats;
mod wait;
mod webhooks;
