//! Which module of a crate uses which: each `use` and each `crate::`/`super::`/`self::`
//! path, resolved through re-exports to the module that defines the item.

use std::collections::BTreeSet;

use super::modules::{Module, Use};

/// How many `use`s a resolution may pass through before it gives up (re-exports of
/// re-exports; a loop of `use`s, which rustc refuses, would otherwise never end).
const MAX_HOPS: usize = 16;

/// The edges `from -> to` between the modules of one crate; a module's uses of itself are
/// left out. A parent's uses of its children count like any other: a parent whose code
/// uses a child that uses the parent back is a cycle. Declaring a child (`mod`) and
/// re-exporting its items (`pub use`) are no use of it.
pub fn edges(modules: &[Module]) -> BTreeSet<(usize, usize)> {
    let mut edges = BTreeSet::new();
    for (id, module) in modules.iter().enumerate() {
        let mut add = |to: Option<usize>| {
            if let Some(to) = to
                && to != id
            {
                edges.insert((id, to));
            }
        };
        for entry in &module.uses {
            let used_here = match &entry.name {
                // A re-export counts only where the module's own code also uses the name.
                Some(name) => !entry.public || module.mentions.contains(name),
                None => !entry.public,
            };
            if used_here {
                add(resolve_use(modules, id, &entry.path, 0));
            }
        }
        for path in &module.paths {
            if starts_in_crate(modules, id, path) {
                add(resolve(modules, id, path, 0));
            }
        }
    }
    edges
}

/// Whether a path in the code of module `id` names something of this crate: it starts
/// with `crate`, `self` or `super`, or with a child module of `id`. (A path starting
/// with a name a `use` brought in is counted through that `use`.)
fn starts_in_crate(modules: &[Module], id: usize, path: &[String]) -> bool {
    match path.first().map(String::as_str) {
        Some("crate" | "self" | "super") => true,
        Some(first) => modules[id].children.contains_key(first),
        None => false,
    }
}

/// What a path resolves to: a module itself, or an item (with whatever follows it: a
/// variant, an associated item) defined in a module.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    module: usize,
    is_module: bool,
}

/// The module defining what a `use` in module `id` imports (the module itself when the
/// path names a module), or `None` for other crates' items.
fn resolve_use(modules: &[Module], id: usize, path: &[String], hops: usize) -> Option<usize> {
    resolve_use_path(modules, id, path, hops).map(|resolved| resolved.module)
}

fn resolve_use_path(
    modules: &[Module],
    id: usize,
    path: &[String],
    hops: usize,
) -> Option<Resolved> {
    match path.first().map(String::as_str) {
        Some("crate" | "self" | "super") => resolve_path(modules, id, path, hops),
        // Since the 2018 edition a `use` path may also start with a name in scope here.
        Some(first) if names_here(&modules[id], first) => resolve_path(modules, id, path, hops),
        _ => None,
    }
}

fn names_here(module: &Module, name: &str) -> bool {
    module.children.contains_key(name)
        || module.items.contains(name)
        || module
            .uses
            .iter()
            .any(|entry| entry.name.as_deref() == Some(name))
}

/// The module defining the item `path` names, as seen from module `id`.
fn resolve(modules: &[Module], id: usize, path: &[String], hops: usize) -> Option<usize> {
    resolve_path(modules, id, path, hops).map(|resolved| resolved.module)
}

fn resolve_path(modules: &[Module], id: usize, path: &[String], hops: usize) -> Option<Resolved> {
    if hops > MAX_HOPS {
        return None;
    }
    let mut current = id;
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            current = 0;
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {}
    }
    while rest.first().map(String::as_str) == Some("super") {
        current = modules[current].parent?;
        rest = &rest[1..];
    }
    while let Some(segment) = rest.first() {
        let module = &modules[current];
        let target = if let Some(&child) = module.children.get(segment) {
            Resolved {
                module: child,
                is_module: true,
            }
        } else if module.items.contains(segment) {
            Resolved {
                module: current,
                is_module: false,
            }
        } else if let Some(entry) = module
            .uses
            .iter()
            .find(|entry| entry.name.as_deref() == Some(segment.as_str()))
        {
            resolve_use_path(modules, current, &entry.path, hops + 1)?
        } else {
            globbed(modules, current, segment, hops)?
        };
        if !target.is_module {
            // The rest names a variant, an associated item or a method of the item.
            return Some(target);
        }
        current = target.module;
        rest = &rest[1..];
    }
    Some(Resolved {
        module: current,
        is_module: true,
    })
}

/// Resolves `name` through the glob imports of module `id`: the first glob whose module
/// knows the name.
fn globbed(modules: &[Module], id: usize, name: &str, hops: usize) -> Option<Resolved> {
    let globs = modules[id].uses.iter().filter(|entry| entry.name.is_none());
    globs
        .filter_map(|Use { path, .. }| resolve_use(modules, id, path, hops + 1))
        .filter(|&source| names_here(&modules[source], name))
        .find_map(|source| {
            resolve_path(
                modules,
                source,
                &["self".to_owned(), name.to_owned()],
                hops + 1,
            )
        })
}
