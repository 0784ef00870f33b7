//! The HTTP side: routes, authentication, request reading, pages and the connection loop.
//! The handlers of each resource are in [`batches`], [`directories`], [`upload`] and
//! [`jobs`], [`webhook_configs`]; [`webhooks`] has what webhooks share, and the deliveries
//! view; [`emulator`] the console's views of the fault settings and recent requests.

mod app;
mod auth;
mod batches;
mod directories;
mod emulator;
mod jobs;
mod page;
mod query;
mod request;
mod routes;
mod serve;
mod upload;
mod validate;
mod webhook_configs;
mod webhooks;

pub use app::App;
pub use serve::serve;
