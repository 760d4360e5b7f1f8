//! Paths inside a directory archive, and the rules links must follow. Packing and unpacking
//! share them, so that what ocikit writes is exactly what it accepts.

use std::collections::{HashMap, HashSet};

use crate::Error;

/// The longest path (in bytes) an entry may have.
pub(crate) const PATH_MAX: usize = 4096;
/// The longest path component (in bytes), the limit of every common file system.
pub(crate) const COMPONENT_MAX: usize = 255;

/// The sort key of a path: components compared byte-wise, so that a directory comes right
/// before its contents (`a`, `a/b`, `a-b`: the order a directory walk gives, and the order
/// ORAS's walk writes).
pub(crate) fn sort_key(path: &str) -> Vec<u8> {
    path.bytes()
        .map(|b| if b == b'/' { 0 } else { b })
        .collect()
}

/// The components of a relative path, checked: not empty, no `.` or `..`, no NUL or `\`, each
/// of at most [`COMPONENT_MAX`] bytes, the whole of at most [`PATH_MAX`].
pub(crate) fn components(path: &str) -> Result<Vec<&str>, &'static str> {
    if path.len() > PATH_MAX {
        return Err("is longer than 4096 bytes");
    }
    if path.starts_with('/') {
        return Err("is absolute");
    }
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts {
        match *part {
            "" => return Err("has an empty path component"),
            "." => return Err("has a '.' path component"),
            ".." => return Err("climbs out with '..'"),
            _ if part.contains(['\0', '\\']) => return Err("contains NUL or '\\'"),
            _ if part.len() > COMPONENT_MAX => return Err("has a component longer than 255 bytes"),
            _ => {}
        }
    }
    Ok(parts)
}

/// What a path of the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    File,
    Directory,
    Symlink,
}

/// The paths of a tree with what each is, to check links against. Keys are full paths
/// (`name/…`) without a trailing slash. Symlinks are also kept case-folded: on a
/// case-insensitive file system (macOS, Windows) `A/x` is written through a link `a`.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    nodes: HashMap<String, Node>,
    folded: HashSet<String>,
    folded_links: HashMap<String, String>,
}

impl Nodes {
    pub(crate) fn get(&self, path: &str) -> Option<Node> {
        self.nodes.get(path).copied()
    }

    /// Adds `path` as `node`. A directory may be added again; anything else already there, a
    /// parent that is not a directory, or a name a link shares (in any case) is an error.
    pub(crate) fn add(&mut self, path: &str, node: Node) -> Result<(), String> {
        // Each ancestor must be a directory (added as one if new): never a file or a link,
        // whatever its case.
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            let parent = &path[..end + slash];
            if let Some(link) = self.folded_links.get(&parent.to_lowercase()) {
                return Err(format!("lies under the symbolic link {link:?}"));
            }
            match self.nodes.get(parent) {
                Some(Node::Directory) => {}
                Some(_) => return Err(format!("lies under {parent:?}, which is not a directory")),
                None => {
                    self.nodes.insert(parent.to_owned(), Node::Directory);
                    self.folded.insert(parent.to_lowercase());
                }
            }
            end += slash + 1;
        }
        let folded = path.to_lowercase();
        if let Some(link) = self.folded_links.get(&folded) {
            return Err(format!("has the name of the symbolic link {link:?}"));
        }
        if node == Node::Symlink && self.folded.contains(&folded) {
            return Err("is a symbolic link with the name of another entry".to_owned());
        }
        match (self.nodes.get(path), node) {
            (None, _) => {}
            (Some(Node::Directory), Node::Directory) => return Ok(()),
            (Some(_), _) => return Err("appears twice".to_owned()),
        }
        self.nodes.insert(path.to_owned(), node);
        self.folded.insert(folded.clone());
        if node == Node::Symlink {
            self.folded_links.insert(folded, path.to_owned());
        }
        Ok(())
    }

    /// Checks the symbolic link at `link` (a full path) with `target`: relative, and resolved
    /// from the link's directory it stays inside `root` (the archive's top directory) without
    /// passing through another symbolic link of the tree (whose target the lexical walk would
    /// not follow: `d/link/..` is not `d` when `link` points elsewhere).
    pub(crate) fn check_link(&self, root: &str, link: &str, target: &str) -> Result<(), String> {
        if target.is_empty() {
            return Err("is a symbolic link with an empty target".to_owned());
        }
        if target.starts_with(['/', '\\']) || target.as_bytes().get(1) == Some(&b':') {
            return Err(format!(
                "is a symbolic link to the absolute path {target:?}"
            ));
        }
        if target.contains(['\0', '\\']) {
            return Err(format!(
                "is a symbolic link whose target {target:?} has NUL or '\\'"
            ));
        }
        let depth = root.split('/').count();
        let mut at: Vec<&str> = link.split('/').collect();
        at.pop();
        let outside = || format!("is a symbolic link to {target:?}, outside {root:?}");
        if at.len() < depth {
            return Err(outside());
        }
        let parts: Vec<&str> = target.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            match *part {
                "" | "." => continue,
                ".." => {
                    at.pop();
                    if at.len() < depth {
                        return Err(outside());
                    }
                }
                name => {
                    at.push(name);
                    let last = parts[i + 1..].iter().all(|p| p.is_empty() || *p == ".");
                    if !last && self.get(&at.join("/")) == Some(Node::Symlink) {
                        return Err(format!(
                            "is a symbolic link to {target:?}, which passes through another symbolic link"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// An [`Error::ArchiveUnsafe`] for `path`.
pub(crate) fn unsafe_entry(path: &str, reason: impl Into<String>) -> Error {
    Error::ArchiveUnsafe {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_sort_before_their_contents() {
        let mut paths = vec!["a-b", "a/b", "a", "b", "a/b/c", "A"];
        paths.sort_by_key(|p| sort_key(p));
        assert_eq!(paths, ["A", "a", "a/b", "a/b/c", "a-b", "b"]);
    }

    #[test]
    fn links_stay_inside_and_do_not_chain() {
        let mut nodes = Nodes::default();
        for (path, node) in [
            ("d", Node::Directory),
            ("d/x", Node::Directory),
            ("d/x/up", Node::Symlink),
            ("d/f", Node::File),
        ] {
            nodes.add(path, node).expect("adds");
        }
        assert!(nodes.check_link("d", "d/l", "f").is_ok());
        assert!(nodes.check_link("d", "d/x/l", "../f").is_ok());
        assert!(
            nodes.check_link("d", "d/x/l", "up").is_ok(),
            "a link to a link"
        );
        assert!(nodes.check_link("d", "d/l", "../e").is_err());
        assert!(nodes.check_link("d", "d/l", "..").is_err());
        assert!(nodes.check_link("d", "d/l", "/etc").is_err());
        assert!(nodes.check_link("d", "d/l", "x/up/..").is_err());
        assert!(nodes.add("d/x/up/f", Node::File).is_err());
        assert!(nodes.add("d/X/UP", Node::File).is_err());
        assert!(nodes.add("d/F", Node::Symlink).is_err());
        assert!(nodes.add("d/f", Node::File).is_err());
        assert!(nodes.add("d/x", Node::Directory).is_ok());
    }
}
