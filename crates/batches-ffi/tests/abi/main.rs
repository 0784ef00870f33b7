//! The exports called from Rust exactly as a C caller calls them, against an emulator
//! started in-process on a free port wherever a server is needed.

mod batches;
mod client;
mod jobs;
mod list_iter;
mod network;
mod run;
mod secrets;
mod support;
mod webhooks;
