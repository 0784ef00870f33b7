//! The HTTP side: routes, authentication, request reading, pages and the connection loop.
//! The handlers of each resource are in [`batches`], [`directories`] and [`upload`].

mod app;
mod auth;
mod batches;
mod directories;
mod page;
mod query;
mod request;
mod routes;
mod serve;
mod upload;
mod validate;

pub use app::App;
pub use serve::serve;
