//! The HTTP side: routes, authentication, request reading, pages and the connection loop.
//! The handlers of each resource are in [`batches`], [`directories`], [`upload`] and
//! [`jobs`].

mod app;
mod auth;
mod batches;
mod directories;
mod jobs;
mod page;
mod query;
mod request;
mod routes;
mod serve;
mod upload;
mod validate;

pub use app::App;
pub use serve::serve;
