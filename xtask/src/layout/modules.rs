//! The module tree of one crate, read with `syn`: every file module and inline `mod`, with
//! the names each defines, the `use`s it holds and the paths its code refers to.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One module: a file or an inline `mod`.
#[derive(Debug, Default)]
pub struct Module {
    /// Its path below the crate root (empty for the root).
    pub path: Vec<String>,
    /// The enclosing module; `None` for the root.
    pub parent: Option<usize>,
    /// Child modules by name.
    pub children: BTreeMap<String, usize>,
    /// Names of the items defined here other than modules (types, functions, constants, …).
    pub items: BTreeSet<String>,
    /// Every `use` here, also those inside function bodies.
    pub uses: Vec<Use>,
    /// Paths of two or more segments in the code (outside `use`s), macro arguments included.
    pub paths: Vec<Vec<String>>,
    /// Every identifier the code mentions, to tell a re-export that the module's own code
    /// also uses from one it only passes on.
    pub mentions: BTreeSet<String>,
}

/// One imported name (or glob) of a `use` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The imported path as written (`crate`, `self`, `super` included).
    pub path: Vec<String>,
    /// The name it is known by here; `None` for a glob (`path::*`).
    pub name: Option<String>,
    /// Whether it is visible outside the module (`pub`, `pub(crate)`, …): a re-export.
    pub public: bool,
}

impl Module {
    /// The module's name in messages: its path, or `crate` for the root.
    pub fn name(&self) -> String {
        if self.path.is_empty() {
            "crate".to_owned()
        } else {
            self.path.join("::")
        }
    }
}

/// Where the files of a crate come from: the disk, or a map for tests.
pub trait Sources {
    /// The text of `path`, `None` when there is no such file.
    fn read(&self, path: &Path) -> Option<String>;
}

/// Files on disk.
pub struct Disk;

impl Sources for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

impl Sources for BTreeMap<PathBuf, String> {
    fn read(&self, path: &Path) -> Option<String> {
        self.get(path).cloned()
    }
}

/// Reads the crate whose root file is `root`, following every `mod name;` to its file.
/// Module 0 is the root.
pub fn read_crate(root: &Path, sources: &dyn Sources) -> Result<Vec<Module>> {
    let mut reader = Reader {
        sources,
        modules: vec![Module::default()],
    };
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    reader.file(0, root, dir)?;
    Ok(reader.modules)
}

struct Reader<'a> {
    sources: &'a dyn Sources,
    modules: Vec<Module>,
}

impl Reader<'_> {
    /// Reads `file` as the body of module `id`, whose child files live in `child_dir`.
    fn file(&mut self, id: usize, file: &Path, child_dir: PathBuf) -> Result<()> {
        let text = self
            .sources
            .read(file)
            .with_context(|| format!("reading {}", file.display()))?;
        let syntax =
            syn::parse_file(&text).with_context(|| format!("parsing {}", file.display()))?;
        let file_dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        self.items(id, &syntax.items, &file_dir, &child_dir, file)
    }

    /// Records `items` in module `id`. `file_dir` is the folder of the file being read
    /// (where `#[path]` is resolved from), `child_dir` where `mod name;` looks.
    fn items(
        &mut self,
        id: usize,
        items: &[syn::Item],
        file_dir: &Path,
        child_dir: &Path,
        file: &Path,
    ) -> Result<()> {
        for item in items {
            match item {
                syn::Item::Mod(module) => self.child(id, module, file_dir, child_dir, file)?,
                syn::Item::Use(declaration) => {
                    let public = !matches!(declaration.vis, syn::Visibility::Inherited);
                    flatten(&declaration.tree, &mut Vec::new(), public, &mut |entry| {
                        self.modules[id].uses.push(entry)
                    });
                }
                other => {
                    if let Some(name) = defined_name(other) {
                        self.modules[id].items.insert(name);
                    }
                    let mut code = Code::default();
                    code.visit_item(other);
                    let module = &mut self.modules[id];
                    module.uses.extend(code.uses);
                    module.paths.extend(code.paths);
                    module.mentions.extend(code.mentions);
                }
            }
        }
        Ok(())
    }

    fn child(
        &mut self,
        parent: usize,
        module: &syn::ItemMod,
        file_dir: &Path,
        child_dir: &Path,
        file: &Path,
    ) -> Result<()> {
        let name = module.ident.to_string();
        let id = self.modules.len();
        let mut path = self.modules[parent].path.clone();
        path.push(name.clone());
        self.modules.push(Module {
            path,
            parent: Some(parent),
            ..Module::default()
        });
        self.modules[parent].children.insert(name.clone(), id);
        let explicit = path_attribute(module);
        match &module.content {
            Some((_, items)) => {
                let dir = match &explicit {
                    Some(path) => file_dir.join(path),
                    None => child_dir.join(&name),
                };
                self.items(id, items, file_dir, &dir, file)
            }
            None => {
                let candidates = match &explicit {
                    Some(path) => vec![file_dir.join(path)],
                    None => vec![
                        child_dir.join(format!("{name}.rs")),
                        child_dir.join(&name).join("mod.rs"),
                    ],
                };
                let Some(found) = candidates
                    .iter()
                    .find(|candidate| self.sources.read(candidate).is_some())
                else {
                    bail!(
                        "{}: `mod {name};` has no file (looked for {})",
                        file.display(),
                        candidates
                            .iter()
                            .map(|c| c.display().to_string())
                            .collect::<Vec<_>>()
                            .join(" and ")
                    );
                };
                // A `mod.rs` (or a `#[path]` file) keeps its children beside it; `name.rs`
                // keeps them in `name/`.
                let grandchildren = if explicit.is_some() || found.ends_with("mod.rs") {
                    found.parent().unwrap_or(Path::new("")).to_path_buf()
                } else {
                    child_dir.join(&name)
                };
                self.file(id, &found.clone(), grandchildren)
            }
        }
    }
}

/// The value of a `#[path = "…"]` attribute.
fn path_attribute(module: &syn::ItemMod) -> Option<String> {
    module.attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(pair) if pair.path.is_ident("path") => match &pair.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Some(text.value()),
            _ => None,
        },
        _ => None,
    })
}

/// The name an item defines in its module's namespace, for the items other modules can
/// refer to.
fn defined_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(item) => &item.ident,
        syn::Item::Enum(item) => &item.ident,
        syn::Item::Fn(item) => &item.sig.ident,
        syn::Item::Static(item) => &item.ident,
        syn::Item::Struct(item) => &item.ident,
        syn::Item::Trait(item) => &item.ident,
        syn::Item::TraitAlias(item) => &item.ident,
        syn::Item::Type(item) => &item.ident,
        syn::Item::Union(item) => &item.ident,
        syn::Item::Macro(item) => item.ident.as_ref()?,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Each name a use tree imports, with its full path.
fn flatten(tree: &syn::UseTree, prefix: &mut Vec<String>, public: bool, out: &mut dyn FnMut(Use)) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten(&path.tree, prefix, public, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) if name.ident == "self" => out(Use {
            path: prefix.clone(),
            name: prefix.last().cloned(),
            public,
        }),
        syn::UseTree::Name(name) => {
            let mut path = prefix.clone();
            path.push(name.ident.to_string());
            out(Use {
                path,
                name: Some(name.ident.to_string()),
                public,
            });
        }
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            if rename.ident != "self" {
                path.push(rename.ident.to_string());
            }
            out(Use {
                path,
                name: Some(rename.rename.to_string()),
                public,
            });
        }
        syn::UseTree::Glob(_) => out(Use {
            path: prefix.clone(),
            name: None,
            public,
        }),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten(tree, prefix, public, out);
            }
        }
    }
}

/// What the code of an item refers to.
#[derive(Default)]
struct Code {
    uses: Vec<Use>,
    paths: Vec<Vec<String>>,
    mentions: BTreeSet<String>,
}

impl Code {
    fn path(&mut self, segments: Vec<String>) {
        self.mentions.extend(segments.iter().cloned());
        if segments.len() > 1 {
            self.paths.push(segments);
        }
    }

    /// Paths in macro arguments, which syn leaves as tokens: runs of `a::b::c`.
    fn tokens(&mut self, tokens: TokenStream) {
        let mut run: Vec<String> = Vec::new();
        let mut colons = 0;
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if run.is_empty() || colons == 2 => {
                    run.push(ident.to_string());
                    colons = 0;
                }
                TokenTree::Punct(punct) if punct.as_char() == ':' && !run.is_empty() => {
                    colons += 1;
                    if colons > 2 {
                        self.path(std::mem::take(&mut run));
                        colons = 0;
                    }
                }
                other => {
                    if !run.is_empty() {
                        self.path(std::mem::take(&mut run));
                    }
                    colons = 0;
                    match other {
                        TokenTree::Group(group) => self.tokens(group.stream()),
                        TokenTree::Ident(ident) => run.push(ident.to_string()),
                        _ => {}
                    }
                }
            }
        }
        if !run.is_empty() {
            self.path(run);
        }
    }
}

impl<'ast> Visit<'ast> for Code {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.tokens(mac.tokens.clone());
    }

    fn visit_item_use(&mut self, declaration: &'ast syn::ItemUse) {
        // A `use` inside a function body: the module's code imports it.
        flatten(&declaration.tree, &mut Vec::new(), false, &mut |entry| {
            self.uses.push(entry)
        });
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Modules declared inside function bodies are not followed.
    }
}
