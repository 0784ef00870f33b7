//! Cycles in a directed graph: for every edge that lies on a cycle, the shortest cycle
//! through it. Together they show every edge that has to go for data to flow one way.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The cycles of the graph with `edges`, each as its nodes from its smallest node on, the
/// first node not repeated at the end; no cycle is listed twice.
pub fn cycles(edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    let mut next: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(from, to) in edges {
        next.entry(from).or_default().push(to);
    }
    let mut found = BTreeSet::new();
    for &(from, to) in edges {
        if from == to {
            found.insert(vec![from]);
        } else if let Some(back) = shortest_path(&next, to, from) {
            // `back` runs from `to` to `from`; the edge closes it.
            let mut cycle = vec![from];
            cycle.extend(&back[..back.len() - 1]);
            found.insert(rotate_to_smallest(cycle));
        }
    }
    found.into_iter().collect()
}

/// The nodes of a shortest path from `start` to `goal`, both included.
fn shortest_path(
    next: &BTreeMap<usize, Vec<usize>>,
    start: usize,
    goal: usize,
) -> Option<Vec<usize>> {
    let mut came_from = BTreeMap::from([(start, start)]);
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        if node == goal {
            let mut path = vec![goal];
            let mut at = goal;
            while at != start {
                at = came_from[&at];
                path.push(at);
            }
            path.reverse();
            return Some(path);
        }
        for &to in next.get(&node).into_iter().flatten() {
            if let std::collections::btree_map::Entry::Vacant(entry) = came_from.entry(to) {
                entry.insert(node);
                queue.push_back(to);
            }
        }
    }
    None
}

fn rotate_to_smallest(mut cycle: Vec<usize>) -> Vec<usize> {
    let smallest = (0..cycle.len())
        .min_by_key(|&i| cycle[i])
        .expect("a cycle has a node");
    cycle.rotate_left(smallest);
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, usize)]) -> BTreeSet<(usize, usize)> {
        edges.iter().copied().collect()
    }

    #[test]
    fn a_chain_has_no_cycle() {
        assert!(cycles(&graph(&[(0, 1), (1, 2), (0, 2)])).is_empty());
    }

    #[test]
    fn each_edge_on_a_cycle_shows_in_one() {
        // 1 -> 2 -> 3 -> 1, and 2 -> 1 closes a second, shorter one; 3 -> 4 is on none.
        let found = cycles(&graph(&[(1, 2), (2, 3), (3, 1), (2, 1), (3, 4)]));
        assert_eq!(found, vec![vec![1, 2], vec![1, 2, 3]]);
    }

    #[test]
    fn a_self_edge_is_a_cycle() {
        assert_eq!(cycles(&graph(&[(5, 5)])), vec![vec![5]]);
    }
}
